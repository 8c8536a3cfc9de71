#!/usr/bin/env python3
"""Generates the issue-5 scale inventory: N namespaces with pods, NetworkPolicies, Roles and
bindings, as `kubectl get -o json` List files (deterministic for a seed).

Default: 10,000 namespaces, 100,000 pods, 20,000 NetworkPolicies, 50,000 bindings, plus the
Roles, ClusterRoles (some aggregated) and ServiceAccounts they refer to. The pods have owners as
in a cluster (issue 16): most a ReplicaSet of a Deployment, some a StatefulSet or a DaemonSet, a
few the Job of a CronJob, a few none; 5% of the Deployments' pods have a container injected at
admission that their template does not have. `--bare-pods` writes the inventory as it was
before (the same pods, none owned, no workloads: 200k objects, 79 MB).

    python3 tools/gen_scale.py --out target/scale --namespaces 10000
"""
import argparse
import json
import os
import random


def meta(name, ns=None, labels=None):
    m = {"name": name}
    if ns:
        m["namespace"] = ns
    if labels:
        m["labels"] = labels
    return m


def owner_ref(o):
    m = o["metadata"]
    return [{"apiVersion": o["apiVersion"], "kind": o["kind"], "name": m["name"], "uid": m["uid"],
             "controller": True, "blockOwnerDeletion": True}]


def suffix(rnd, n=5):
    return "".join(rnd.choice("bcdfghjklmnpqrstvwxz2456789") for _ in range(n))


def workloads(rnd, ns, team, pods, apps, uids):
    """`pods` Pods of a namespace and what owns them, as a cluster has them: most made by the
    ReplicaSet of a Deployment, some by a StatefulSet or a DaemonSet, a few by the Job of a
    CronJob, a few alone; now and then one with a container injected at admission (a mesh's
    proxy). A Pod has its template's spec; its owners are listed with it, with matching uids."""
    out = []
    w = 0

    def template(app, p):
        sc = {"runAsNonRoot": True, "seccompProfile": {"type": "RuntimeDefault"}} if rnd.random() < 0.5 else {}
        return {
            "metadata": {"labels": {"app": app, "tier": rnd.choice(["front", "back"])}},
            "spec": {
                "serviceAccountName": "app" if p % 2 else "default",
                "securityContext": sc,
                "containers": [{
                    "name": app, "image": f"registry.example.com/{team}/{app}:1.{p}",
                    "ports": [{"name": "http", "containerPort": 8080}],
                    "resources": {"requests": {"cpu": "100m", "memory": "128Mi"}, "limits": {"memory": "128Mi"}},
                    "securityContext": {"allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]}},
                }],
            },
        }

    def obj(api, kind, name, labels=None, owner=None, spec=None):
        m = meta(name, ns, labels)
        m["uid"] = f"{next(uids):08x}-0000-4000-8000-000000000000"
        if owner is not None:
            m["ownerReferences"] = owner_ref(owner)
        o = {"apiVersion": api, "kind": kind, "metadata": m}
        if spec is not None:
            o["spec"] = spec
        return o

    def pod(name, t, owner):
        spec = json.loads(json.dumps(t["spec"]))
        if owner is not None and owner["kind"] == "ReplicaSet" and rnd.random() < 0.05:
            # Injected at admission: the template does not have it.
            spec["containers"].append({
                "name": "istio-proxy", "image": "docker.io/istio/proxyv2:1.22.0",
                "resources": {"requests": {"cpu": "10m", "memory": "64Mi"}, "limits": {"memory": "256Mi"}},
                "securityContext": {"capabilities": {"add": ["NET_ADMIN", "NET_RAW"]}, "runAsUser": 1337},
            })
        return obj("v1", "Pod", name, dict(t["metadata"]["labels"]), owner, spec)

    left = pods
    while left > 0:
        # A name of its own in the namespace: api, worker, ..., then api-1, worker-1, ...
        app = apps[w % len(apps)] + (f"-{w // len(apps)}" if w >= len(apps) else "")
        w += 1
        kind = rnd.choices(["deploy", "sts", "ds", "cron", "orphan"], [70, 12, 8, 5, 5])[0]
        if kind == "deploy":
            n = min(left, rnd.randint(1, 4))
            t = template(app, w)
            sel = {"matchLabels": {"app": app}}
            d = obj("apps/v1", "Deployment", app, {"app": app}, None,
                    {"replicas": n, "selector": sel, "template": t})
            h = suffix(rnd, 9)
            rs = obj("apps/v1", "ReplicaSet", f"{app}-{h}", {"app": app}, d,
                     {"replicas": n, "selector": sel, "template": t})
            out += [d, rs] + [pod(f"{app}-{h}-{suffix(rnd)}", t, rs) for _ in range(n)]
        elif kind == "sts":
            n = min(left, rnd.randint(1, 3))
            t = template(app, w)
            s = obj("apps/v1", "StatefulSet", app, {"app": app}, None,
                    {"replicas": n, "serviceName": app, "selector": {"matchLabels": {"app": app}}, "template": t})
            out += [s] + [pod(f"{app}-{i}", t, s) for i in range(n)]
        elif kind == "ds":
            n = min(left, rnd.randint(1, 3))
            t = template(app, w)
            s = obj("apps/v1", "DaemonSet", f"{app}-agent", {"app": app}, None,
                    {"selector": {"matchLabels": {"app": app}}, "template": t})
            out += [s] + [pod(f"{app}-agent-{suffix(rnd)}", t, s) for _ in range(n)]
        elif kind == "cron":
            n = 1
            t = template(app, w)
            t["spec"]["restartPolicy"] = "OnFailure"
            c = obj("batch/v1", "CronJob", f"{app}-cron", {"app": app}, None,
                    {"schedule": "0 3 * * *", "jobTemplate": {"spec": {"template": t}}})
            job = obj("batch/v1", "Job", f"{app}-cron-{29000000 + rnd.randrange(100000)}", {"app": app}, c,
                      {"template": t})
            out += [c, job, pod(f"{job['metadata']['name']}-{suffix(rnd)}", t, job)]
        else:
            n = 1
            out.append(pod(f"{app}-debug-{suffix(rnd)}", template(app, w), None))
        left -= n
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--namespaces", type=int, default=10000)
    ap.add_argument("--pods-per-ns", type=int, default=10)
    ap.add_argument("--policies-per-ns", type=int, default=2)
    ap.add_argument("--bindings-per-ns", type=int, default=5)
    ap.add_argument("--per-file", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=1)
    # The inventory before issue 16: the same pods, none owned, and no Deployment, ReplicaSet,
    # StatefulSet, DaemonSet, CronJob or Job (the figures of issues 5 and 7 were measured on it).
    ap.add_argument("--bare-pods", action="store_true")
    a = ap.parse_args()
    rnd = random.Random(a.seed)
    os.makedirs(a.out, exist_ok=True)
    teams = ["web", "data", "ops", "ml", "pay"]
    apps = ["api", "worker", "db", "cache", "ui", "cron", "proxy", "auth"]
    objects = []
    uids = iter(range(1, 1 << 62))

    # Cluster-wide RBAC: a few shared ClusterRoles, two of them aggregated.
    for i in range(200):
        labels = {"example.com/aggregate-to-ops": "true"} if i % 10 == 0 else None
        objects.append({
            "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
            "metadata": meta(f"shared-{i}", labels=labels),
            "rules": [{"apiGroups": [""], "resources": [rnd.choice(["pods", "configmaps", "services", "secrets", "pods/log"])],
                       "verbs": rnd.choice([["get", "list"], ["get"], ["create", "delete"], ["*"]])}],
        })
    for name in ("ops-aggregate", "ops-aggregate-2"):
        objects.append({
            "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": meta(name),
            "aggregationRule": {"clusterRoleSelectors": [{"matchLabels": {"example.com/aggregate-to-ops": "true"}}]},
            "rules": [],
        })
    for i in range(100):
        objects.append({
            "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding", "metadata": meta(f"crb-{i}"),
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": rnd.choice(["view", "edit", f"shared-{i}", "ops-aggregate"])},
            "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": f"team-{i % 20}"}],
        })

    for n in range(a.namespaces):
        ns = f"ns-{n:05d}"
        team = teams[n % len(teams)]
        ns_labels = {"team": team}
        if n % 3 == 0:
            ns_labels["pod-security.kubernetes.io/enforce"] = rnd.choice(["baseline", "restricted"])
        objects.append({"apiVersion": "v1", "kind": "Namespace", "metadata": meta(ns, labels=ns_labels)})
        objects.append({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": meta("app", ns)})
        if not a.bare_pods:
            objects.extend(workloads(rnd, ns, team, a.pods_per_ns, apps, uids))
        else:
            for p in range(a.pods_per_ns):
                app = apps[p % len(apps)]
                sc = {"runAsNonRoot": True, "seccompProfile": {"type": "RuntimeDefault"}} if rnd.random() < 0.5 else {}
                objects.append({
                    "apiVersion": "v1", "kind": "Pod",
                    "metadata": meta(f"{app}-{p}-{rnd.randrange(16**5):05x}", ns, {"app": app, "tier": rnd.choice(["front", "back"])}),
                    "spec": {
                        "serviceAccountName": "app" if p % 2 else "default",
                        "securityContext": sc,
                        "containers": [{
                            "name": app, "image": f"registry.example.com/{team}/{app}:1.{p}",
                            "ports": [{"name": "http", "containerPort": 8080}],
                            "resources": {"requests": {"cpu": "100m", "memory": "128Mi"}, "limits": {"memory": "128Mi"}},
                            "securityContext": {"allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]}},
                        }],
                    },
                })
        for q in range(a.policies_per_ns):
            if q == 0 and n % 2 == 0:
                spec = {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}
                name = "default-deny"
            elif q == 0:
                spec = {"podSelector": {"matchLabels": {"app": "api"}}, "policyTypes": ["Ingress"],
                        "ingress": [{"from": [{"namespaceSelector": {"matchLabels": {"team": team}}}], "ports": [{"port": 8080}]}]}
                name = "api-ingress"
            else:
                spec = {"podSelector": {"matchExpressions": [{"key": "tier", "operator": "In", "values": ["front"]}]},
                        "policyTypes": ["Egress"],
                        "egress": [{"to": [{"ipBlock": {"cidr": "0.0.0.0/0", "except": ["169.254.169.254/32"] if n % 4 else []}}], "ports": [{"port": 443}, {"port": 80}]},
                                   {"to": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "kube-system"}}}], "ports": [{"port": 53, "protocol": "UDP"}]}]}
                name = f"egress-{q}"
            objects.append({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": meta(name, ns), "spec": spec})
        objects.append({
            "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": meta("deployer", ns),
            "rules": [{"apiGroups": ["apps"], "resources": ["deployments"], "verbs": ["get", "create", "update", "patch"]},
                      {"apiGroups": [""], "resources": ["configmaps"], "resourceNames": ["app-config"], "verbs": ["get"]}],
        })
        for b in range(a.bindings_per_ns):
            if b == 0:
                role = {"kind": "Role", "name": "deployer"}
                subjects = [{"kind": "ServiceAccount", "name": "app", "namespace": ns}]
            elif b == 1:
                role = {"kind": "ClusterRole", "name": "view"}
                subjects = [{"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": f"system:serviceaccounts:{ns}"}]
            else:
                role = {"kind": "ClusterRole", "name": f"shared-{rnd.randrange(200)}"}
                subjects = [{"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": f"user-{rnd.randrange(5000)}"}]
            role["apiGroup"] = "rbac.authorization.k8s.io"
            objects.append({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
                            "metadata": meta(f"binding-{b}", ns), "roleRef": role, "subjects": subjects})

    counts = {}
    for o in objects:
        counts[o["kind"]] = counts.get(o["kind"], 0) + 1
    for i in range(0, len(objects), a.per_file):
        doc = {"apiVersion": "v1", "kind": "List", "items": objects[i:i + a.per_file]}
        with open(os.path.join(a.out, f"list-{i // a.per_file:04d}.json"), "w") as f:
            json.dump(doc, f, separators=(",", ":"))
    print(json.dumps({"objects": len(objects), "kinds": counts}))


if __name__ == "__main__":
    main()
