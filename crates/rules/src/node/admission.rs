//! Effective admission plugins: the version's defaults, plus enabled, minus disabled.
