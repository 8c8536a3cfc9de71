{{- define "kcheck-webhook.name" -}}kcheck-webhook{{- end -}}
{{- define "kcheck-webhook.labels" -}}
app.kubernetes.io/name: kcheck-webhook
app.kubernetes.io/part-of: kcheck
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}
{{- define "kcheck-webhook.selector" -}}
app.kubernetes.io/name: kcheck-webhook
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}
