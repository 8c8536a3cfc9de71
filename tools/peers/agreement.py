#!/usr/bin/env python3
"""Agreement of kcheck's rules with the checks of peer tools (checkov, kube-score).

For every peer check that one of our rules corresponds to, run kcheck over the
peer's own fixtures (shared/corpus/checkov, shared/corpus/kube-score), derive a
per-resource verdict the way the peer counts it, compare it with the verdict
the peer's tests expect (EXPECTED.derived.json), and print a table (peer check,
our rule(s), cases, agreements, %) and every disagreement with its class.

Python 3 standard library only.  Run from the workspace root:

    python3 tools/peers/agreement.py [--kcheck target/debug/kcheck] [--corpus ../shared/corpus]
                                     [--peer all|checkov|kube-score] [--only CKV_K8S_16,service-type]
                                     [--show-cases] [--unmapped] [--json OUT]

kcheck runs once per fixture folder (checkov) or file set (kube-score), as
`scan --format json --no-annotation-waivers` and `pss --level privileged
--format json` (the latter only to list the workloads kcheck read); results
are cached for the run.

checkov   A case is one occurrence of a resource `<Kind>.<namespace>.<name>`
          (namespace `default` when absent) of a kind the check supports, as
          checkov counts them (the same id in two files counts twice).  Expected
          verdict, first that applies: CHECKOV_EXPECTED_BY_READING (derived by
          reading checkov's check and the fixture, each entry says why); the
          resource sets the upstream test asserts (a fixture named UNKNOWN is not
          counted even if its id is asserted elsewhere); the file-name hint
          (PASSED/FAILED) for a file with one countable resource, or for a file
          whose name does not mix PASSED and FAILED.  The derived verdicts of each
          test are checked against the counts upstream asserts; a mismatch is
          printed as a WARNING.
kube-score A case is one testExpectedScore(WithConfig) call: the FIRST object of
          the file, in file order, of a kind the check scores (pod checks: Pod,
          Deployment, StatefulSet, DaemonSet, Job, CronJob; service-type:
          Service).  Grades: CRITICAL -> fail, ALL OK -> pass; WARNING per check
          (KUBESCORE_MAP `warning`): fail where it means the check's concern is
          unmet (seccomp missing, NodePort), pass for container-resources (there it
          means "limits set, requests missing", outside KC304), left out where
          undefined.  wasSkipped/getSummaries calls and run configurations that
          switch off what our rule checks are left out and listed with --unmapped.
Ours      The resource fails when kcheck reports at least one finding of the
          mapped rule(s) on it, at one of the mapping's levels and passing its
          filter (e.g. KC302 on spec.hostPID only).  `not read` when kcheck could
          not parse the file.
"""

import argparse
import json
import os
import re
import subprocess
import sys
from collections import OrderedDict, defaultdict

# --------------------------------------------------------------------------
# Mapping
# --------------------------------------------------------------------------

KC307_CHECK_RE = re.compile(r"\)\s+([A-Za-z_]+):")


def f_any(_finding):
    return True


def f_path_suffix(suffix):
    def f(finding):
        return (finding.get("path") or "").endswith(suffix)
    f.__doc__ = "path ends with " + suffix
    return f


def f_severity(*sev):
    def f(finding):
        return finding.get("severity") in sev
    f.__doc__ = "severity in " + "/".join(sev)
    return f


def f_kc307_check(*check_ids):
    def f(finding):
        m = KC307_CHECK_RE.search(finding.get("message") or "")
        return bool(m) and m.group(1) in check_ids
    f.__doc__ = "KC307 check id in " + "/".join(check_ids)
    return f


# Each entry: peer check id -> list of comparisons (a peer check can be compared
# with more than one reading of our rules).  `filter` selects the findings that
# count as "ours: fail"; `flagged_levels` are the finding levels that count
# (info never counts).
CHECKOV_MAP = [
    dict(check="CKV_K8S_16", rules=["KC301"], filter=f_any, levels=("fail", "warn"),
         note="privileged: true on any container"),
    dict(check="CKV_K8S_17", rules=["KC302"], filter=f_path_suffix("hostPID"), levels=("fail", "warn"),
         note="KC302 finding on spec.hostPID"),
    dict(check="CKV_K8S_18", rules=["KC302"], filter=f_path_suffix("hostIPC"), levels=("fail", "warn"),
         note="KC302 finding on spec.hostIPC"),
    dict(check="CKV_K8S_19", rules=["KC302"], filter=f_path_suffix("hostNetwork"), levels=("fail", "warn"),
         note="KC302 finding on spec.hostNetwork"),
    dict(check="CKV_K8S_27", rules=["KC303"], filter=f_severity("critical"), levels=("fail", "warn"),
         label="KC303 (critical only)", aggregate=False,
         note="checkov: hostPath /var/run/docker.sock; ours: KC303 at critical severity"),
    dict(check="CKV_K8S_27", rules=["KC303"], filter=f_any, levels=("fail", "warn"),
         label="KC303 (any hostPath)",
         note="checkov: hostPath /var/run/docker.sock only; ours: every hostPath"),
    dict(check="CKV_K8S_13", rules=["KC304"], filter=f_any, levels=("fail", "warn"),
         note="resources.limits.memory on every container"),
    dict(check="CKV_K8S_14", rules=["KC701"], filter=f_any, levels=("fail",),
         label="KC701 (fail level only)",
         note="latest / no tag; our tag-only `warn` counts as pass here"),
    dict(check="CKV_K8S_43", rules=["KC701"], filter=f_any, levels=("fail", "warn"),
         label="KC701 (fail or warn)",
         note="no digest; our tag-only `warn` counts as fail here"),
    dict(check="CKV_K8S_31", rules=["KC310"], filter=f_any, levels=("fail", "warn"),
         note="seccomp RuntimeDefault"),
    dict(check="CKV_K8S_23", rules=["KC702"], filter=f_any, levels=("fail", "warn"),
         note="runAsNonRoot / runAsUser > 0"),
    dict(check="CKV_K8S_40", rules=["KC702"], filter=f_any, levels=("fail", "warn"),
         note="checkov wants runAsUser >= 10000; we want non-root"),
    dict(check="CKV_K8S_35", rules=["KC603"], filter=f_any, levels=("fail", "warn"),
         note="different intent: checkov fails secretKeyRef/secretRef in env, we fail literal secrets"),
    dict(check="CKV_K8S_38", rules=["KC604"], filter=f_any, levels=("fail", "warn"),
         note="token automounted: pod (or its ServiceAccount) without automountServiceAccountToken: false"),
    dict(check="CKV_K8S_26", rules=["KC307"], filter=f_kc307_check("hostPorts"), levels=("fail", "warn"),
         label="KC307[hostPorts]",
         note="PSS baseline hostPorts via KC307 at the default level"),
    dict(check="CKV_K8S_39", rules=["KC307"], filter=f_kc307_check("capabilities_baseline"), levels=("fail", "warn"),
         label="KC307[capabilities_baseline]",
         note="SYS_ADMIN is outside the baseline capability set"),
    dict(check="CKV_K8S_25", rules=["KC307"], filter=f_kc307_check("capabilities_baseline"), levels=("fail", "warn"),
         label="KC307[capabilities_baseline]",
         note="partial: checkov fails ANY added capability, baseline allows 13 default ones"),
]

# checkov checks we list but do not compare (no rule of ours, or a kind we do not read).
CHECKOV_UNMAPPED = OrderedDict([
    ("CKV_K8S_1..7,24,32,36 (PSP variants)", "PodSecurityPolicy objects: removed in Kubernetes 1.25; we do not read PSPs (PSA/KC306-KC307 replace them)"),
    ("CKV_K8S_6 RootContainersPSP", "PodSecurityPolicy (see above)"),
    ("CKV_K8S_32 SeccompPSP", "PodSecurityPolicy (see above); the workload-level seccomp check CKV_K8S_31 is compared with KC310"),
    ("CKV_K8S_8/9 Liveness/ReadinessProbe", "reliability, not in the checklist"),
    ("CKV_K8S_10/11/12 CPU requests, CPU limits, memory requests", "not yet for all workloads: CPU limits only for sensitive workloads (KC309, intent); requests are not a checklist item (KC305 compares memory limit with request)"),
    ("CKV_K8S_15 ImagePullPolicyAlways", "no rule (not a checklist item)"),
    ("CKV_K8S_20 AllowPrivilegeEscalation", "no dedicated rule: PSS restricted only, reported by KC307 only in restricted namespaces and by KC308 (info)"),
    ("CKV_K8S_21 DefaultNamespace", "no rule"),
    ("CKV_K8S_22 ReadOnlyFilesystem", "no rule"),
    ("CKV_K8S_28/37 NET_RAW / minimize capabilities", "PSS restricted (drop ALL): KC307 only in restricted namespaces, KC308 info"),
    ("CKV_K8S_29/30 Pod/Container securityContext present", "no rule (too generic)"),
    ("CKV_K8S_33/34/44/45 Dashboard, Tiller", "no rule"),
    ("CKV_K8S_41 DefaultServiceAccount", "checks ServiceAccount objects named default; KC604 reports the workloads that get a token instead (a ServiceAccount's automount setting is honoured there)"),
    ("CKV_K8S_42 DefaultServiceAccountBinding", "no rule yet (RBAC, checklist item 1.6)"),
    ("CKV_K8S_49, 155-158, CKV2_K8S_1..5 RBAC", "no rule yet (checklist item 1.6: 'kcheck has no rule for this item yet')"),
    ("CKV2_K8S_6 RequireAllPodsToHaveNetworkPolicy", "not yet (checklist items 2.2/2.3 have no rule yet)"),
    ("CKV_K8S_68..151 API server / etcd / controller-manager / scheduler / kubelet flags", "not yet: needs `kcheck node` (planned, issue 6)"),
    ("CKV_K8S_152..154 NGINX ingress snippets", "no rule"),
    ("CKV_K8S_159 DangerousGitSync", "no rule"),
    ("LoadBalancer / externalIPs (KC201/KC202)", "checkov has no such check in this corpus"),
    ("admission webhooks (KC801-KC804)", "no checkov check or fixture in this corpus (CKV_K8S_155 is RBAC on webhooks)"),
])

KUBESCORE_MAP = [
    dict(check="container-security-context-privileged", rules=["KC301"], filter=f_any, levels=("fail", "warn"),
         warning=None, note="privileged: true"),
    dict(check="container-security-context-user-group-id", rules=["KC702"], filter=f_any, levels=("fail", "warn"),
         warning=None, note="kube-score wants runAsUser AND runAsGroup > 10000; we want non-root"),
    dict(check="container-seccomp-profile", rules=["KC310"], filter=f_any, levels=("fail", "warn"),
         warning="fail", note="kube-score WARNING = no seccomp profile -> fail"),
    dict(check="container-image-tag", rules=["KC701"], filter=f_any, levels=("fail",),
         label="KC701 (fail level only)", warning=None, note="latest / no tag"),
    dict(check="container-resources", rules=["KC304"], filter=f_any, levels=("fail", "warn"),
         warning="pass", note="kube-score WARNING = limits set, requests missing -> pass for KC304; CRITICAL also covers missing CPU limits"),
    dict(check="container-memory-requests-equal-limits", rules=["KC304", "KC305"], filter=f_any, levels=("fail", "warn"),
         warning=None, note="memory limit present and == request (a missing request defaults to the limit)"),
    dict(check="service-type", rules=["KC204"], filter=f_any, levels=("fail", "warn", "info"), kinds={"Service"},
         warning="fail", note="kube-score WARNING = NodePort; KC204 is an info-level note, counted as flagged"),
]

# kube-score run configurations that change what the check tests, so that the
# expected grade is not comparable with our rule.
KUBESCORE_INCOMPARABLE_CONFIG = [
    ("IgnoreContainerMemoryLimitRequirement: true", "kube-score told to ignore memory limits: nothing left that KC304 checks"),
]

KUBESCORE_UNMAPPED = OrderedDict([
    ("pod-networkpolicy, networkpolicy-targets-pod", "not yet (checklist items 2.2/2.3: 'kcheck has no rule for this item yet')"),
    ("container-security-context-readonlyrootfilesystem", "no rule"),
    ("container-cpu-requests-equal-limits, container-resource-requests-equal-limits", "CPU part: no rule (CPU limits only for sensitive workloads, KC309)"),
    ("container-ephemeral-storage-*", "no rule"),
    ("container-image-pull-policy", "no rule"),
    ("(LoadBalancer / externalIPs)", "kube-score has no check for KC201/KC202; its service-type check is compared with KC204 (NodePort)"),
    ("pod-probes*, deployment-*, statefulset-*, hpa-*, ingress-*, cronjob-*, poddisruptionbudget-*, stable-version, environment-variable-key-duplication, container-ports-check, pod-topology-spread-constraints, service-targets-pod", "reliability / correctness, not checklist items"),
])

# Per-resource expectations for checkov count-only tests where the file name
# does not tell (a file with resources of both verdicts, or a file named
# PASSED/FAILED whose resource checkov actually does not count).  Derived by
# reading the checkov check at the corpus commit and the fixture; the script
# cross-checks every test's derived verdicts against the asserted counts.
# key: (check, file relative to corpus/checkov, resource id) -> (verdict or None = UNKNOWN/not counted, why)
_DSV = "tests/kubernetes/checks/example_DockerSocketVolume/"
CHECKOV_EXPECTED_BY_READING = {
    ("CKV_K8S_27", _DSV + "cloudwatch-agent-1PASSED-1FAILED.yaml", "DaemonSet.amazon-cloudwatch.cloudwatch-agent"):
        ("fail", "hostPath /var/run/docker.sock"),
    ("CKV_K8S_27", _DSV + "cloudwatch-agent-1PASSED-1FAILED.yaml", "DaemonSet.amazon-cloudwatch.fluentd-cloudwatch"):
        ("pass", "hostPaths /var/log, /var/lib/docker/containers, /run/log/journal, /var/log/dmesg; no docker.sock"),
    ("CKV_K8S_27", _DSV + "scope-2PASSED-1FAILED.yaml", "Deployment.weave.weave-scope-app"):
        ("pass", "no volumes"),
    ("CKV_K8S_27", _DSV + "scope-2PASSED-1FAILED.yaml", "Deployment.weave.weave-scope-cluster-agent"):
        ("pass", "no volumes"),
    ("CKV_K8S_27", _DSV + "scope-2PASSED-1FAILED.yaml", "DaemonSet.weave.weave-scope-agent"):
        ("fail", "hostPath /var/run/docker.sock"),
    ("CKV_K8S_13", "tests/kubernetes/checks/example_Requests_Limits/pod-requests-limits-UNKNOWN2.yaml", "Pod.default.frontend"):
        ("pass", "UNKNOWN only for the request checks of the shared folder: limits.memory is set, requests is a list"),
    ("CKV_K8S_39", "tests/kubernetes/checks/example_AllowedCapabilitiesSysAdmin/pod-FAILED2.yaml", "Pod.default.security-context-demo-1"):
        (None, "`containers:` is null: a container check returns UNKNOWN, not counted (asserted 1 passed / 1 failed)"),
}

# Every disagreement seen on the corpus, read and classified (README.md has the
# long form).  key: (peer check, file, resource id) for checkov, (peer check,
# file) for kube-score -> (class, short reason).  Classes:
#   ours-bug     our rule (or loader) is wrong; a fix is described in README.md
#   theirs-wrong the peer's fixture or expected verdict is wrong or not a valid object
#   intent       a deliberate difference of intent between the two checks
# A disagreement missing from this table is printed as UNCLASSIFIED.
_CK = "tests/kubernetes/checks/"
KNOWN_DISAGREEMENTS = {
    ("CKV_K8S_27", _CK + "example_DockerSocketVolume/cloudwatch-agent-1PASSED-1FAILED.yaml",
     "DaemonSet.amazon-cloudwatch.fluentd-cloudwatch"):
        ("intent", "checkov looks for /var/run/docker.sock only; KC303 reports every hostPath (PSS baseline forbids "
                   "them all) and rates /var/lib/docker/containers critical (container runtime state)"),
    ("CKV_K8S_14", _CK + "example_ImageTagFixed/imageWithDigest-PASSED.yaml", "StatefulSet.default.kafka"):
        ("theirs-wrong", "`@sha256:123456` is not a digest (sha256 needs 64 hex digits; the runtime cannot pull it); "
                         "KC701 fails malformed digests on purpose, checkov passes any `@`"),
    ("CKV_K8S_14", _CK + "example_ImageTagFixed/imageWithTagAndDigest-PASSED.yaml", "StatefulSet.default.kafka"):
        ("theirs-wrong", "`:1.0-10.2.1@sha256:123456`: malformed digest, as above"),
    ("CKV_K8S_43", _CK + "example_ImageDigest/imageWithTagAndDigest-PASSED.yaml", "StatefulSet.default.kafka"):
        ("theirs-wrong", "malformed digest `@sha256:123456`"),
    ("CKV_K8S_43", _CK + "example_ImageDigest/kafka-PASSED.yaml", "StatefulSet.default.kafka"):
        ("theirs-wrong", "malformed digest `@sha256:123456`"),
    ("CKV_K8S_43", _CK + "example_ImageDigest/kafka-withrepo-PASSED.yaml", "StatefulSet.default.kafka"):
        ("theirs-wrong", "malformed digest `@sha256:123456` (the file loads since the loader folds under-indented "
                         "quoted continuation lines as go-yaml does)"),
    ("CKV_K8S_31", _CK + "example_Seccomp/cronjob-seccomp-PASSED.yaml", "CronJob.default.cronjob-passed"):
        ("intent", "only the legacy annotation seccomp.security.alpha.kubernetes.io/pod: runtime/default; the kubelet "
                   "ignores it since 1.27, KC310 does not count it and says so in the finding"),
    ("CKV_K8S_31", _CK + "example_Seccomp/pod-seccomp-PASSED.yaml", "Pod.default.seccomp-passed-metadata-annotations-docker"):
        ("intent", "legacy annotation docker/default only (see above)"),
    ("CKV_K8S_31", _CK + "example_Seccomp/pod-seccomp-PASSED2.yaml", "Pod.default.seccomp-passed-metadata-annotations-runtime"):
        ("intent", "legacy annotation runtime/default only (see above)"),
    ("CKV_K8S_31", _CK + "example_Seccomp/pod-seccomp-PASSED6.yaml", "Deployment.default.seccomp-passed-metadata-annotations"):
        ("intent", "legacy annotation on the pod template only (see above)"),
    ("CKV_K8S_23", _CK + "example_RootContainers/rootContainersFAILED-malformed-spec.yaml", "Pod.default.pod1"):
        ("theirs-wrong", "`spec` is a list, the API server rejects the Pod; kcheck reports it as KC307 `invalid` "
                         "(fail), not under KC702"),
    ("CKV_K8S_40", _CK + "example_RootContainersHighUID/rootContainersHighUIDFAILED.yaml", "Pod.default.pod4"):
        ("intent", "runAsUser: 1000 is not root; UIDs >= 10000 (host UID collisions) are not a checklist requirement"),
    ("CKV_K8S_35", _CK + "example_Secrets/pod-secretEnvironment-FAILED.yaml", "Pod.default.secret-test-pod"):
        ("intent", "checkov fails env valueFrom.secretKeyRef (prefers secret files); KC603 looks for literal secrets "
                   "and never flags references"),
    ("CKV_K8S_35", _CK + "example_Secrets/pod-secretEnvironment-FAILED.yaml", "Pod.default.secret-test-pod-2"):
        ("intent", "envFrom.secretRef, as above"),
    ("CKV_K8S_38", _CK + "example_ServiceAccountTokens/ServiceAccountTokensFAILED.yaml", "Pod.default.pod2"):
        ("intent", "explicit automountServiceAccountToken: true is an owner's declaration that the pod calls the API; "
                   "KC604 accepts it by design, checkov fails it"),
    ("container-security-context-user-group-id", "score/testdata/pod-security-context-low-group-id.yaml"):
        ("intent", "runAsUser 15000, runAsGroup 0: not root; kube-score also wants user and group IDs > 10000, KC702 "
                   "does not look at the group"),
    ("container-seccomp-profile", "score/testdata/pod-seccomp-annotated.yaml"):
        ("theirs-wrong", "seccomp.security.alpha.kubernetes.io/defaultProfileName is a PodSecurityPolicy annotation; "
                         "on a Pod it never selected a profile, the pod runs Unconfined"),
    ("container-seccomp-profile", "score/testdata/pod-seccomp-annotated-annotation-optional.yaml"):
        ("theirs-wrong", "same PSP-only annotation"),
    ("container-resources", "score/testdata/pod-test-resources-limits-and-requests-no-cpu-limit.yaml"):
        ("intent", "CRITICAL for the missing CPU limit; we require CPU limits only for sensitive workloads (KC309); "
                   "the memory limit KC304 checks is set"),
}


def classify(row, case):
    if row["peer"] == "checkov":
        key = (row["check"], case["file"], case["resource"])
    else:
        key = (row["check"], case["file"])
    return KNOWN_DISAGREEMENTS.get(key, ("UNCLASSIFIED", "new disagreement: read the fixture and classify it"))


POD_KINDS_KUBESCORE = {"Pod", "Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob"}

# --------------------------------------------------------------------------
# Reading resources out of fixtures (no YAML library: a light line scanner for
# top-level objects, completed by kcheck's own list of workloads)
# --------------------------------------------------------------------------

_KIND_RE = re.compile(r"""^kind:\s*["']?([A-Za-z0-9]+)["']?\s*(#.*)?$""")
_META_RE = re.compile(r"^metadata:\s*(\{.*\})?\s*(#.*)?$")
_KEY_RE = re.compile(r"""^(\s+)(name|namespace):\s*(.*?)\s*$""")


def _clean_scalar(v):
    v = v.strip()
    if v.startswith(("'", '"')):
        q = v[0]
        end = v.find(q, 1)
        return v[1:end] if end > 0 else v[1:]
    v = re.sub(r"\s+#.*$", "", v)
    return v


def scan_yaml_text(text):
    """Top-level objects of a YAML stream: list of dict(kind, name, namespace, line)."""
    out = []
    lines = text.splitlines()
    docs = []
    cur, start = [], 1
    for i, line in enumerate(lines, 1):
        if re.match(r"^---(\s|$)", line) or re.match(r"^\.\.\.(\s|$)", line):
            docs.append((start, cur))
            cur, start = [], i + 1
            continue
        cur.append(line)
    docs.append((start, cur))
    for start, dl in docs:
        kind = None
        name = ns = None
        first_line = None
        i = 0
        while i < len(dl):
            line = dl[i]
            if first_line is None and line.strip() and not line.lstrip().startswith("#"):
                first_line = start + i
            m = _KIND_RE.match(line)
            if m:
                kind = m.group(1)
            m = _META_RE.match(line)
            if m:
                if m.group(1):
                    flow = m.group(1)
                    mn = re.search(r"""\bname:\s*["']?([^,"'}\s]+)""", flow)
                    ms = re.search(r"""\bnamespace:\s*["']?([^,"'}\s]+)""", flow)
                    name = mn.group(1) if mn else None
                    ns = ms.group(1) if ms else None
                else:
                    child = None
                    j = i + 1
                    while j < len(dl):
                        l2 = dl[j]
                        if not l2.strip() or l2.lstrip().startswith("#"):
                            j += 1
                            continue
                        ind = len(l2) - len(l2.lstrip(" "))
                        if ind == 0:
                            break
                        if child is None:
                            child = ind
                        if ind == child:
                            k = _KEY_RE.match(l2)
                            if k:
                                if k.group(2) == "name":
                                    name = _clean_scalar(k.group(3))
                                else:
                                    ns = _clean_scalar(k.group(3))
                        j += 1
                    i = j - 1
            i += 1
        if kind:
            out.append(dict(kind=kind, name=name, namespace=ns, line=first_line or start))
    return out


def scan_json_text(text):
    try:
        data = json.loads(text)
    except ValueError:
        return []
    out = []

    def add(obj):
        if not isinstance(obj, dict):
            return
        if obj.get("kind") == "List" or (obj.get("kind", "").endswith("List") and isinstance(obj.get("items"), list)):
            for it in obj.get("items") or []:
                add(it)
            return
        meta = obj.get("metadata") if isinstance(obj.get("metadata"), dict) else {}
        if obj.get("kind"):
            out.append(dict(kind=obj["kind"], name=meta.get("name"), namespace=meta.get("namespace"), line=1))

    if isinstance(data, list):
        for d in data:
            add(d)
    else:
        add(data)
    return out


def scan_file(path):
    with open(path, encoding="utf-8", errors="replace") as fh:
        text = fh.read()
    if path.endswith(".json"):
        return scan_json_text(text)
    return scan_yaml_text(text)


# --------------------------------------------------------------------------
# Running kcheck (cached)
# --------------------------------------------------------------------------

class KCheck:
    def __init__(self, binary):
        self.binary = binary
        self._scan = {}
        self._pss = {}

    def _run(self, args):
        p = subprocess.run([self.binary] + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        if p.returncode not in (0, 1, 2):
            raise SystemExit("kcheck %s failed (exit %d): %s" % (" ".join(args), p.returncode,
                                                                p.stderr.decode(errors="replace")))
        try:
            return json.loads(p.stdout.decode("utf-8"))
        except ValueError:
            raise SystemExit("kcheck %s: output is not JSON: %s" % (" ".join(args), p.stderr.decode(errors="replace")))

    def scan(self, paths):
        key = tuple(sorted(paths))
        if key not in self._scan:
            self._scan[key] = self._run(["scan"] + list(key) + ["--format", "json", "--no-annotation-waivers"])
        return self._scan[key]

    def workloads(self, paths):
        key = tuple(sorted(paths))
        if key not in self._pss:
            self._pss[key] = self._run(["pss", "--level", "privileged"] + list(key) + ["--format", "json"])
        return self._pss[key]


def norm_ns(ns):
    return ns if ns else "default"


def resource_id(kind, ns, name):
    return "%s.%s.%s" % (kind, norm_ns(ns), name)


def _files_of(paths):
    files = []
    for p in paths:
        if os.path.isdir(p):
            for dp, dn, fn in os.walk(p):
                dn.sort()
                for f in sorted(fn):
                    if f.endswith((".yaml", ".yml", ".json")) and f != "EXPECTED.derived.json":
                        files.append(os.path.join(dp, f))
        else:
            files.append(p)
    return files


def collect_resources(kc, paths, root):
    """Every object occurrence in `paths`, in file order, with the findings kcheck reported on it.

    An occurrence is a dict(file, kind, ns, name, line, kcheck, findings); `kcheck` says whether
    kcheck itself read the object as a workload (`kcheck pss` lists it).  Objects the line scanner
    finds at the top level of a document are completed by kcheck's list of workloads (which also
    covers the items of `List` objects).  The same id can occur twice (two documents, two files):
    findings go to the occurrence of that id whose start line is the closest before the finding.
    """
    occ = []
    for f in _files_of(paths):
        rel = os.path.relpath(os.path.abspath(f), root)
        for o in scan_file(f):
            if o["kind"] == "List" or not o["name"]:
                continue
            occ.append(dict(file=rel, kind=o["kind"], ns=norm_ns(o["namespace"]), name=o["name"],
                            line=o["line"], kcheck=False, findings=[]))
    by_key = defaultdict(list)
    for o in occ:
        by_key[(o["file"], o["kind"], o["ns"], o["name"])].append(o)
    for item in kc.workloads(paths).get("workloads", []):
        ob = item["object"]
        rel = os.path.relpath(os.path.abspath(item["location"]["file"]), root)
        key = (rel, ob["kind"], norm_ns(ob.get("namespace")), ob["name"])
        line = item["location"]["line"]
        cands = [o for o in by_key.get(key, []) if not o["kcheck"]]
        if cands:
            best = min(cands, key=lambda o: abs(o["line"] - line))
            best["kcheck"] = True
            best["line"] = line
        else:
            o = dict(file=rel, kind=ob["kind"], ns=key[2], name=ob["name"], line=line, kcheck=True, findings=[])
            occ.append(o)
            by_key[key].append(o)
    report = kc.scan(paths)
    diags = defaultdict(list)
    for d in (report.get("inputs") or {}).get("diagnostics", []):
        if d.get("severity") == "error" and d.get("file"):
            diags[os.path.relpath(os.path.abspath(d["file"]), root)].append(d)
    for o in occ:
        o["diag"] = None
        if not o["kcheck"]:
            for d in diags.get(o["file"], []):
                if "syntax error" in (d.get("message") or ""):
                    o["diag"] = "%s:%s: %s" % (os.path.basename(o["file"]), d.get("line"), d["message"])
    for f in report.get("findings", []):
        ob = f.get("object") or {}
        loc = f.get("location") or {}
        if not loc.get("file") or not ob.get("kind"):
            continue
        rel = os.path.relpath(os.path.abspath(loc["file"]), root)
        cands = by_key.get((rel, ob["kind"], norm_ns(ob.get("namespace")), ob.get("name")), [])
        if not cands:
            continue
        before = [o for o in cands if o["line"] <= (loc.get("line") or 0)]
        target = max(before, key=lambda o: o["line"]) if before else cands[0]
        target["findings"].append(f)
    occ.sort(key=lambda o: (o["file"], o["line"]))
    return occ


def our_verdict(occurrence, mapping):
    if occurrence.get("diag"):
        return "not read", []
    hits = [f for f in occurrence["findings"]
            if f.get("code") in mapping["rules"] and f.get("level") in mapping["levels"] and mapping["filter"](f)]
    return ("fail" if hits else "pass"), hits


# --------------------------------------------------------------------------
# checkov
# --------------------------------------------------------------------------

_HINT_RE = re.compile(r"(PASSED|FAILED|PASS|FAIL|UNKNOWN|UNKOWN)", re.I)
_MIXED_RE = re.compile(r"(PASS.*FAIL|FAIL.*PASS)", re.I)


def _hint_of(rel, hints):
    h = hints.get(rel)
    if h is None:
        mm = _HINT_RE.search(os.path.basename(rel))
        if mm:
            h = mm.group(1).upper()
            h = {"PASSED": "PASS", "FAILED": "FAIL", "UNKOWN": "UNKNOWN"}.get(h, h)
    return h


def checkov_compare(kc, corpus, only):
    root = os.path.join(corpus, "checkov")
    exp = json.load(open(os.path.join(root, "EXPECTED.derived.json")))
    hints = exp.get("file_name_hints", {})
    tests_by_check = defaultdict(list)
    for t in exp["tests"]:
        for c in t["checks"]:
            tests_by_check[c["id"]].append((t, c))
    rows = []
    for m in CHECKOV_MAP:
        if only and m["check"] not in only:
            continue
        for t, c in tests_by_check.get(m["check"], []):
            dirs = [os.path.join(root, d) for d in t["example_dirs"]]
            kinds = set(c["supported_kinds"])
            occ = [o for o in collect_resources(kc, dirs, root) if o["kind"] in kinds]
            passed_set = set(t.get("expected_passed_resources") or [])
            failed_set = set(t.get("expected_failed_resources") or [])
            asserted = bool(passed_set or failed_set)
            per_file = defaultdict(int)
            for o in occ:
                per_file[o["file"]] += 1
            cases = []
            for o in occ:
                rid = resource_id(o["kind"], o["ns"], o["name"])
                rel = o["file"]
                hint = _hint_of(rel, hints)
                rkey = (m["check"], rel, rid)
                if rkey in CHECKOV_EXPECTED_BY_READING:
                    theirs, source = CHECKOV_EXPECTED_BY_READING[rkey][0], "by reading: " + CHECKOV_EXPECTED_BY_READING[rkey][1]
                elif asserted:
                    if hint == "UNKNOWN":
                        theirs, source = None, "asserted id, but the file is an UNKNOWN fixture (not counted)"
                    elif rid in passed_set:
                        theirs, source = "pass", "asserted"
                    elif rid in failed_set:
                        theirs, source = "fail", "asserted"
                    else:
                        theirs, source = None, "not in the asserted sets (not counted)"
                elif per_file[rel] == 1:
                    theirs = {"PASS": "pass", "FAIL": "fail"}.get(hint)
                    source = "file name" if theirs else "file name %s (not counted)" % hint
                elif hint in ("PASS", "FAIL") and not _MIXED_RE.search(os.path.basename(rel)):
                    theirs = {"PASS": "pass", "FAIL": "fail"}[hint]
                    source = "file name (all %d resources of the file)" % per_file[rel]
                else:
                    theirs, source = None, "ambiguous: %d resources in the file, no entry in CHECKOV_EXPECTED_BY_READING" % per_file[rel]
                ours, hits = our_verdict(o, m)
                cases.append(dict(file=rel, resource=rid, line=o["line"], theirs=theirs, ours=ours, source=source,
                                  hits=hits, kcheck_read=o["kcheck"], diag=o.get("diag")))
            exp_pass = sum(1 for x in cases if x["theirs"] == "pass")
            exp_fail = sum(1 for x in cases if x["theirs"] == "fail")
            summ = t["expected_summary"]
            consistency = "ok" if (exp_pass, exp_fail) == (summ.get("passed"), summ.get("failed")) else \
                "MISMATCH: derived %d pass / %d fail, upstream asserts %d / %d" % (
                    exp_pass, exp_fail, summ.get("passed"), summ.get("failed"))
            rows.append(dict(peer="checkov", check=m["check"], name=c["name"], rules=m.get("label") or "+".join(m["rules"]),
                             note=m["note"], test=t["upstream_test"], cases=cases, consistency=consistency,
                             aggregate=m.get("aggregate", True),
                             summary=summ, derived=(exp_pass, exp_fail)))
    return rows


# --------------------------------------------------------------------------
# kube-score
# --------------------------------------------------------------------------

def kubescore_compare(kc, corpus, only):
    root = os.path.join(corpus, "kube-score")
    exp = json.load(open(os.path.join(root, "EXPECTED.derived.json")))
    rows = []
    for m in KUBESCORE_MAP:
        if only and m["check"] not in only:
            continue
        cases = []
        excluded = []
        for case in exp["cases"]:
            if case["check_id"] != m["check"]:
                continue
            if case["kind"] not in ("testExpectedScore", "testExpectedScoreWithConfig") or \
                    not str(case.get("grade") or "").startswith("Grade"):
                excluded.append(dict(files=case["files"], reason="%s (no grade asserted)" % case["kind"]))
                continue
            cfg = case.get("config_args_raw") or ""
            bad = [why for needle, why in KUBESCORE_INCOMPARABLE_CONFIG if needle in cfg]
            if bad:
                excluded.append(dict(files=case["files"], reason=bad[0]))
                continue
            grade = case["grade"]
            if grade == "GradeCritical":
                theirs = "fail"
            elif grade == "GradeAllOK":
                theirs = "pass"
            elif grade in ("GradeWarning", "GradeAlmostOK"):
                theirs = m.get("warning")
                if theirs is None:
                    excluded.append(dict(files=case["files"], reason="%s has no defined meaning for this mapping" % grade))
                    continue
            else:
                excluded.append(dict(files=case["files"], reason="grade %s" % grade))
                continue
            paths = [os.path.join(root, f) for f in case["files"]]
            kinds = m.get("kinds") or POD_KINDS_KUBESCORE
            occ = [o for o in collect_resources(kc, paths, root) if o["kind"] in kinds]
            occ.sort(key=lambda o: (case["files"].index(o["file"]) if o["file"] in case["files"] else 99, o["line"]))
            short_cfg = cfg.split("RunConfiguration{")[-1].split("}")[0].strip(" ,") if "RunConfiguration{" in cfg else ""
            if not occ:
                cases.append(dict(file=",".join(case["files"]), resource="(no object of a scored kind found)", line=0,
                                  theirs=theirs, ours="pass", grade=grade, hits=[], cfg=short_cfg, func=case["func"],
                                  kcheck_read=False, source=grade))
                continue
            o = occ[0]
            ours, hits = our_verdict(o, m)
            cases.append(dict(file=o["file"], resource=resource_id(o["kind"], o["ns"], o["name"]), line=o["line"],
                              theirs=theirs, ours=ours, grade=grade, hits=hits, cfg=short_cfg, func=case["func"],
                              kcheck_read=o["kcheck"], diag=o.get("diag"),
                              source=grade + ((" " + short_cfg) if short_cfg else "")))
        rows.append(dict(peer="kube-score", check=m["check"], name=m["check"], rules=m.get("label") or "+".join(m["rules"]),
                         note=m["note"], cases=cases, excluded=excluded, consistency="n/a",
                         aggregate=m.get("aggregate", True)))
    return rows


# --------------------------------------------------------------------------
# Output
# --------------------------------------------------------------------------

def summarize(row):
    comp = [c for c in row["cases"] if c["theirs"] in ("pass", "fail")]
    agree = sum(1 for c in comp if c["theirs"] == c["ours"])
    return len(comp), agree


def pct(a, n):
    return ("%5.1f%%" % (100.0 * a / n)) if n else "   n/a"


def hit_summary(hits):
    parts = []
    for h in hits[:3]:
        parts.append("%s/%s at %s" % (h["code"], h["level"], h.get("path") or "?"))
    if len(hits) > 3:
        parts.append("+%d more" % (len(hits) - 3))
    return "; ".join(parts)


def print_report(rows, show_cases, show_unmapped, rule_codes, out=sys.stdout):
    w = out.write
    w("Agreement of kcheck rules with peer checks, on the peers' own fixtures\n")
    w("(a case is one resource as the peer counts it; 'not read' = kcheck could not parse the file)\n\n")
    hdr = "%-10s %-41s %-30s %5s %5s %7s  %s\n" % ("peer", "peer check", "our rule(s)", "cases", "agree", "%", "disagreements by class")
    w(hdr)
    w("-" * (len(hdr) - 1) + "\n")
    tot_n = tot_a = 0
    per_rule = OrderedDict()
    per_class = defaultdict(int)
    for r in rows:
        n, a = summarize(r)
        cls = defaultdict(int)
        for c in r["cases"]:
            if c["theirs"] in ("pass", "fail") and c["theirs"] != c["ours"]:
                cls[classify(r, c)[0]] += 1
        primary = r.get("aggregate", True)
        if primary:
            tot_n += n
            tot_a += a
            for k, v in cls.items():
                per_class[k] += v
            for code in re.findall(r"KC\d{3}", r["rules"]):
                per_rule.setdefault(code, [0, 0])
                per_rule[code][0] += n
                per_rule[code][1] += a
        w("%-10s %-41s %-30s %5d %5d %7s  %s%s\n" % (
            r["peer"], r["check"][:41], r["rules"][:30], n, a, pct(a, n),
            ", ".join("%s %d" % kv for kv in sorted(cls.items())) or "-",
            "" if primary else "   (second reading, not in totals)"))
    w("-" * (len(hdr) - 1) + "\n")
    w("%-10s %-41s %-30s %5d %5d %7s  %s\n\n" % ("all", "", "", tot_n, tot_a, pct(tot_a, tot_n),
                                                 ", ".join("%s %d" % kv for kv in sorted(per_class.items()))))

    w("Per rule of ours (every peer check mapped to it, second readings left out):\n")
    for code in sorted(per_rule):
        n, a = per_rule[code]
        w("  %-6s %4d cases %4d agree %7s\n" % (code, n, a, pct(a, n)))
    if rule_codes:
        unmapped = [c for c in rule_codes if c not in per_rule]
        w("  no peer check in this corpus: %s\n" % (", ".join(unmapped) or "-"))
    w("\n")

    inconsistent = [r for r in rows if r["consistency"] not in ("ok", "n/a")]
    if inconsistent:
        w("WARNING: derived checkov expectations do not add up to the asserted counts:\n")
        for r in inconsistent:
            w("  %s %s: %s\n" % (r["check"], r["test"], r["consistency"]))
        w("\n")

    w("Disagreements (file, resource, theirs, ours; class and reason from KNOWN_DISAGREEMENTS):\n")
    any_d = False
    for r in rows:
        ds = [c for c in r["cases"] if c["theirs"] in ("pass", "fail") and c["theirs"] != c["ours"]]
        if not ds:
            continue
        any_d = True
        w("\n  %s %s <-> %s\n" % (r["peer"], r["check"], r["rules"]))
        for c in ds:
            cls, why = classify(r, c)
            w("    - %s  %s (line %s)\n" % (c["file"], c["resource"], c.get("line")))
            w("      theirs=%s (%s)  ours=%s%s\n" % (c["theirs"], c.get("source") or c.get("grade"), c["ours"],
                                                  (": " + hit_summary(c["hits"])) if c["hits"] else
                                                  ((": " + c["diag"]) if c.get("diag") else ": no finding")))
            w("      [%s] %s\n" % (cls, why))
    if not any_d:
        w("  none\n")
    w("\n")

    if show_cases:
        w("All cases ('!!' disagreement, '--' not counted by the peer):\n")
        for r in rows:
            w("\n  %s %s <-> %s  (%s)\n" % (r["peer"], r["check"], r["rules"], r["note"]))
            for c in r["cases"]:
                mark = "  " if c["theirs"] == c["ours"] else ("!!" if c["theirs"] in ("pass", "fail") else "--")
                w("   %s %-86s %-55s theirs=%-4s ours=%-8s %s\n" % (mark, c["file"], c["resource"], c["theirs"], c["ours"],
                                                                  c.get("source") or ""))
            for e in r.get("excluded", []):
                w("   -- left out %s: %s\n" % (",".join(e["files"]), e["reason"]))
        w("\n")

    if show_unmapped:
        w("checkov checks not compared:\n")
        for k, v in CHECKOV_UNMAPPED.items():
            w("  %-62s %s\n" % (k, v))
        w("\nkube-score checks not compared:\n")
        for k, v in KUBESCORE_UNMAPPED.items():
            w("  %-62s %s\n" % (k, v))
        w("\nkube-score cases of mapped checks left out:\n")
        for r in rows:
            for e in r.get("excluded", []):
                w("  %-40s %-62s %s\n" % (r["check"], ",".join(e["files"]), e["reason"]))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--kcheck", default="target/debug/kcheck", help="kcheck binary (default: %(default)s)")
    ap.add_argument("--corpus", default="../shared/corpus", help="shared corpus root (default: %(default)s)")
    ap.add_argument("--only", default="", help="comma-separated peer check ids to compare")
    ap.add_argument("--peer", choices=["all", "checkov", "kube-score"], default="all")
    ap.add_argument("--show-cases", action="store_true", help="print every compared case, not only disagreements")
    ap.add_argument("--unmapped", action="store_true", help="also list the peer checks we do not compare, and why")
    ap.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    args = ap.parse_args(argv)

    binary = args.kcheck
    if not os.path.exists(binary):
        raise SystemExit("kcheck binary not found: %s (build it with `cargo build`)" % binary)
    corpus = os.path.abspath(args.corpus)
    for sub in ("checkov", "kube-score"):
        if not os.path.isdir(os.path.join(corpus, sub)):
            raise SystemExit("corpus folder not found: %s" % os.path.join(corpus, sub))
    only = set(x.strip() for x in args.only.split(",") if x.strip())
    kc = KCheck(os.path.abspath(binary))
    try:
        rule_codes = [r["code"] for r in kc._run(["rules", "--format", "json"])]
    except SystemExit:
        rule_codes = []
    missing = sorted(set(code for m in CHECKOV_MAP + KUBESCORE_MAP for code in m["rules"]) - set(rule_codes)) if rule_codes else []
    if missing:
        sys.stderr.write("warning: this kcheck has no rule %s; those comparisons will show no findings\n" % ", ".join(missing))
    rows = []
    if args.peer in ("all", "checkov"):
        rows += checkov_compare(kc, corpus, only)
    if args.peer in ("all", "kube-score"):
        rows += kubescore_compare(kc, corpus, only)
    print_report(rows, args.show_cases, args.unmapped, rule_codes)
    if args.json:
        def clean(c):
            c = dict(c)
            c["hits"] = [dict(code=h["code"], level=h["level"], path=h.get("path"), message=h.get("message")) for h in c["hits"]]
            return c

        def clean_row(r):
            out = dict(r, cases=[clean(c) for c in r["cases"]])
            for c, oc in zip(out["cases"], r["cases"]):
                if c["theirs"] in ("pass", "fail") and c["theirs"] != c["ours"]:
                    c["class"], c["reason"] = classify(r, oc)
            n, a = summarize(r)
            out["compared"], out["agree"] = n, a
            return out
        with open(args.json, "w") as fh:
            json.dump([clean_row(r) for r in rows], fh, indent=1, default=str)
    return 0


if __name__ == "__main__":
    sys.exit(main())
