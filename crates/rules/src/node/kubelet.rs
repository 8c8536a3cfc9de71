//! Effective kubelet settings: command-line flags override the KubeletConfiguration file.
