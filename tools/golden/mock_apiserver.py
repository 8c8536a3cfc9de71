#!/usr/bin/env python3
"""Minimal Kubernetes discovery mock for `kubectl create --dry-run=client`.

Serves only the legacy discovery documents kubectl needs to map kinds to resources (core v1,
apps/v1, batch/v1, rbac.authorization.k8s.io/v1, networking.k8s.io/v1) on 127.0.0.1, on a free
port chosen by the OS. The first line printed on stdout is the port. Standard library only.
Nothing is ever created: every other path answers 404.
"""

import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# group/version -> [(plural, Kind, namespaced)]
RESOURCES = {
    "v1": [
        ("pods", "Pod", True),
        ("configmaps", "ConfigMap", True),
        ("secrets", "Secret", True),
        ("services", "Service", True),
        ("serviceaccounts", "ServiceAccount", True),
        ("namespaces", "Namespace", False),
        ("persistentvolumeclaims", "PersistentVolumeClaim", True),
        ("persistentvolumes", "PersistentVolume", False),
        ("limitranges", "LimitRange", True),
        ("resourcequotas", "ResourceQuota", True),
    ],
    "apps/v1": [
        ("deployments", "Deployment", True),
        ("daemonsets", "DaemonSet", True),
        ("statefulsets", "StatefulSet", True),
        ("replicasets", "ReplicaSet", True),
    ],
    "batch/v1": [
        ("jobs", "Job", True),
        ("cronjobs", "CronJob", True),
    ],
    "rbac.authorization.k8s.io/v1": [
        ("roles", "Role", True),
        ("rolebindings", "RoleBinding", True),
        ("clusterroles", "ClusterRole", False),
        ("clusterrolebindings", "ClusterRoleBinding", False),
    ],
    "networking.k8s.io/v1": [
        ("networkpolicies", "NetworkPolicy", True),
        ("ingresses", "Ingress", True),
        ("ingressclasses", "IngressClass", False),
    ],
}

VERBS = ["create", "delete", "get", "list", "patch", "update", "watch"]


def resource_list(gv):
    return {
        "kind": "APIResourceList",
        "apiVersion": "v1",
        "groupVersion": gv,
        "resources": [
            {
                "name": plural,
                "singularName": kind.lower(),
                "namespaced": namespaced,
                "kind": kind,
                "verbs": VERBS,
            }
            for plural, kind, namespaced in RESOURCES[gv]
        ],
    }


def group_list():
    groups = []
    for gv in RESOURCES:
        if "/" not in gv:
            continue
        group, version = gv.split("/")
        entry = {"groupVersion": gv, "version": version}
        groups.append(
            {"name": group, "versions": [entry], "preferredVersion": entry}
        )
    return {"kind": "APIGroupList", "apiVersion": "v1", "groups": groups}


ROUTES = {"/api": {"kind": "APIVersions", "versions": ["v1"]}, "/apis": group_list()}
ROUTES["/api/v1"] = resource_list("v1")
for _gv in RESOURCES:
    if "/" in _gv:
        ROUTES["/apis/" + _gv] = resource_list(_gv)


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        body = ROUTES.get(self.path.split("?", 1)[0].rstrip("/") or "/")
        if body is None:
            self.send_response(404)
            payload = json.dumps(
                {"kind": "Status", "apiVersion": "v1", "status": "Failure",
                 "reason": "NotFound", "code": 404}
            ).encode()
        else:
            self.send_response(200)
            payload = json.dumps(body).encode()
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, fmt, *args):  # keep kubectl's output clean
        if "-v" in sys.argv:
            sys.stderr.write("mock: " + (fmt % args) + "\n")


def main():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    print(server.server_address[1], flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
