#!/usr/bin/env python3
"""Generates the issue-5 scale inventory: N namespaces with pods, NetworkPolicies, Roles and
bindings, as `kubectl get -o json` List files (deterministic for a seed).

Default: 10,000 namespaces, 100,000 pods, 20,000 NetworkPolicies, 50,000 bindings, plus the
Roles, ClusterRoles (some aggregated) and ServiceAccounts they refer to.

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


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--namespaces", type=int, default=10000)
    ap.add_argument("--pods-per-ns", type=int, default=10)
    ap.add_argument("--policies-per-ns", type=int, default=2)
    ap.add_argument("--bindings-per-ns", type=int, default=5)
    ap.add_argument("--per-file", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    rnd = random.Random(a.seed)
    os.makedirs(a.out, exist_ok=True)
    teams = ["web", "data", "ops", "ml", "pay"]
    apps = ["api", "worker", "db", "cache", "ui", "cron", "proxy", "auth"]
    objects = []

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
