//! A pod that passes allocates nothing while it is evaluated: admission webhooks and cluster scans
//! evaluate every pod, and most pass. Counted with a global allocator, on this thread only.

use kcheck_pss::{evaluate, Level, Version};
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

struct Counting;

thread_local! {
    static COUNTING: Cell<bool> = const { Cell::new(false) };
    static COUNT: Cell<usize> = const { Cell::new(0) };
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // try_with: the thread-locals may be gone while a thread shuts down.
        if COUNTING.try_with(Cell::get).unwrap_or(false) {
            let _ = COUNT.try_with(|c| c.set(c.get() + 1));
        }
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocations(f: impl FnOnce()) -> usize {
    COUNT.with(|c| c.set(0));
    COUNTING.with(|c| c.set(true));
    f();
    COUNTING.with(|c| c.set(false));
    COUNT.with(Cell::get)
}

const CLEAN: &str = r#"apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  template:
    metadata:
      annotations:
        container.apparmor.security.beta.kubernetes.io/app: runtime/default
        seccomp.security.alpha.kubernetes.io/pod: runtime/default
    spec:
      securityContext:
        runAsNonRoot: true
        runAsUser: 1000
        seccompProfile: {type: RuntimeDefault}
        sysctls: [{name: net.ipv4.tcp_syncookies, value: "1"}]
      initContainers:
      - name: init
        image: busybox
        securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}
      containers:
      - name: app
        image: nginx
        ports: [{containerPort: 8080}]
        readinessProbe: {httpGet: {path: /, port: 8080}}
        securityContext:
          allowPrivilegeEscalation: false
          capabilities: {drop: [ALL], add: [NET_BIND_SERVICE]}
          seLinuxOptions: {type: container_t}
      volumes:
      - {name: data, emptyDir: {}}
      - {name: cfg, configMap: {name: cfg}}
"#;

#[test]
fn an_allowed_pod_allocates_nothing() {
    let loaded = kcheck_load::load_bytes(
        "clean.yaml",
        CLEAN.as_bytes(),
        &kcheck_load::Limits::default(),
    );
    let pod = loaded.objects[0].pod_spec().expect("pod spec");
    for level in [Level::Baseline, Level::Restricted] {
        for version in [
            Version::Minor(0),
            Version::Minor(18),
            Version::Minor(25),
            Version::Latest,
        ] {
            // The first evaluation builds the shared table of active checks; count the second.
            assert!(
                evaluate(&pod, level, version).allowed(),
                "{level} {version}"
            );
            let n = allocations(|| {
                let e = evaluate(&pod, level, version);
                assert!(e.allowed());
            });
            assert_eq!(n, 0, "{level} {version}: {n} allocations");
        }
    }
}
