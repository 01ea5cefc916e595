{{/* Labels on every object: kustomize's (manifests/base) and Helm's own. */}}
{{- define "tailor.labels" -}}
app.kubernetes.io/part-of: tailor
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end }}

{{/* The namespaces no webhook entry is sent: kube-system, the release's own, and the ones the values add. */}}
{{- define "tailor.notSentToTailor" -}}
{{- $ns := list "kube-system" .Release.Namespace -}}
{{- range .Values.excludedNamespaces }}{{ if not (has . $ns) }}{{ $ns = append $ns . }}{{ end }}{{ end -}}
{{- toJson $ns -}}
{{- end }}

{{/* A webhook entry's caBundle, when cert-manager does not inject it. */}}
{{- define "tailor.caBundle" -}}
{{- if not .Values.certManager.enabled -}}
caBundle: {{ required "tls.caBundle: the base64 PEM of the CA that signed tls.existingSecret, when certManager.enabled is false" .Values.tls.caBundle }}
{{- end -}}
{{- end }}

{{/* The webhook's settings the values change (TailorConfig: tailor.a.b -> TAILOR_A_B); nothing when left empty. */}}
{{- define "tailor.settings" -}}
{{- with .Values.defaultMode }}
- name: TAILOR_DEFAULT_MODE
  value: {{ . | quote }}
{{- end }}
{{- with .Values.defaultLevel }}
- name: TAILOR_POD_SECURITY_DEFAULT_LEVEL
  value: {{ . | quote }}
{{- end }}
{{- with .Values.admins.users }}
- name: TAILOR_ADMINS_USERS
  value: {{ join "," . | quote }}
{{- end }}
{{- with .Values.admins.groups }}
- name: TAILOR_ADMINS_GROUPS
  value: {{ join "," . | quote }}
{{- end }}
{{- with .Values.approvers.users }}
- name: TAILOR_APPROVERS_USERS
  value: {{ join "," . | quote }}
{{- end }}
{{- with .Values.approvers.groups }}
- name: TAILOR_APPROVERS_GROUPS
  value: {{ join "," . | quote }}
{{- end }}
{{- with .Values.store.existingSecret }}
- name: TAILOR_STORE_URL
  valueFrom:
    secretKeyRef:
      name: {{ . }}
      key: {{ $.Values.store.key }}
{{- end }}
{{- with .Values.store.retention }}
- name: TAILOR_STORE_RETENTION
  value: {{ . | quote }}
{{- end }}
{{- if .Values.ingest.tokenSecret }}
- name: TAILOR_INGEST_TOKEN_FILE
  value: /etc/tailor/ingest-tokens/{{ .Values.ingest.tokenKey }}
{{- end }}
{{- if .Values.ingest.clientCaConfigMap }}
- name: TAILOR_INGEST_CLIENT_CA
  value: /etc/tailor/ingest-ca/{{ .Values.ingest.clientCaKey }}
{{- end }}
{{- with .Values.ingest.clientNames }}
- name: TAILOR_INGEST_CLIENT_NAMES
  value: {{ join "," . | quote }}
{{- end }}
{{- if .Values.admissionCallers.clientCaConfigMap }}
- name: TAILOR_ADMISSION_CALLERS_CLIENT_CA
  value: /etc/tailor/admission-ca/{{ .Values.admissionCallers.clientCaKey }}
{{- end }}
{{- with .Values.admissionCallers.clientNames }}
- name: TAILOR_ADMISSION_CALLERS_CLIENT_NAMES
  value: {{ join "," . | quote }}
{{- end }}
{{- end }}

{{- define "tailor.settingMounts" -}}
{{- if .Values.ingest.tokenSecret }}
- name: ingest-tokens
  mountPath: /etc/tailor/ingest-tokens
  readOnly: true
{{- end }}
{{- if .Values.ingest.clientCaConfigMap }}
- name: ingest-ca
  mountPath: /etc/tailor/ingest-ca
  readOnly: true
{{- end }}
{{- if .Values.admissionCallers.clientCaConfigMap }}
- name: admission-ca
  mountPath: /etc/tailor/admission-ca
  readOnly: true
{{- end }}
{{- end }}

{{- define "tailor.settingVolumes" -}}
{{- with .Values.ingest.tokenSecret }}
- name: ingest-tokens
  secret:
    secretName: {{ . }}
{{- end }}
{{- with .Values.ingest.clientCaConfigMap }}
- name: ingest-ca
  configMap:
    name: {{ . }}
{{- end }}
{{- with .Values.admissionCallers.clientCaConfigMap }}
- name: admission-ca
  configMap:
    name: {{ . }}
{{- end }}
{{- end }}
