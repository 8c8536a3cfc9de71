//! Fixed file contents of the test trees: kubeadm's kubelet drop-in and the hardened node's
//! admission, audit and encryption configuration.

pub const KUBEADM_DROP_IN: &str = "\
# kubeadm's kubelet drop-in: flags come from the variables below and the files they name.
[Service]
Environment=\"KUBELET_KUBECONFIG_ARGS=--bootstrap-kubeconfig=/etc/kubernetes/bootstrap-kubelet.conf --kubeconfig=/etc/kubernetes/kubelet.conf\"
Environment=\"KUBELET_CONFIG_ARGS=--config=/var/lib/kubelet/config.yaml\"
# Written by kubeadm init/join.
EnvironmentFile=-/var/lib/kubelet/kubeadm-flags.env
# For the administrator's own flags.
EnvironmentFile=-/etc/default/kubelet
ExecStart=
ExecStart=/usr/bin/kubelet $KUBELET_KUBECONFIG_ARGS $KUBELET_CONFIG_ARGS $KUBELET_KUBEADM_ARGS $KUBELET_EXTRA_ARGS
";

pub const ADMISSION: &str = "\
apiVersion: apiserver.config.k8s.io/v1
kind: AdmissionConfiguration
plugins:
- name: PodSecurity
  path: pod-security.yaml
- name: ValidatingAdmissionWebhook
  path: validating-webhook.yaml
";

pub const POD_SECURITY: &str = "\
apiVersion: pod-security.admission.config.k8s.io/v1
kind: PodSecurityConfiguration
defaults:
  enforce: baseline
  enforce-version: latest
  audit: restricted
  audit-version: latest
  warn: restricted
  warn-version: latest
exemptions:
  usernames: []
  runtimeClasses: []
  namespaces: [kube-system]
";

pub const VALIDATING_WEBHOOK: &str = "\
apiVersion: apiserver.config.k8s.io/v1
kind: WebhookAdmissionConfiguration
kubeConfigFile: /etc/kubernetes/admission/webhook-kubeconfig.yaml
";

pub const AUDIT_POLICY: &str = "\
apiVersion: audit.k8s.io/v1
kind: Policy
omitStages:
- RequestReceived
rules:
- level: Metadata
  resources:
  - group: \"\"
    resources: [secrets, configmaps]
- level: RequestResponse
  resources:
  - group: rbac.authorization.k8s.io
- level: Metadata
";

// A fixed 32-byte test key (base64 of 32 bytes of 0x2a): test data, not a secret.
pub const ENCRYPTION: &str = "\
apiVersion: apiserver.config.k8s.io/v1
kind: EncryptionConfiguration
resources:
- resources:
  - secrets
  providers:
  - aescbc:
      keys:
      - name: key1
        secret: KioqKioqKioqKioqKioqKioqKioqKioqKioqKioqKio=
  - identity: {}
";
