//! Command-line arguments, all in one place.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(
    name = "kcheck",
    version,
    about = "Audit Kubernetes against the Kubernetes Security Checklist, item by item",
    long_about = "Audit Kubernetes against the Kubernetes Security Checklist, item by item.\n\n\
        Exit codes: 0 nothing at or above --fail-on; 1 findings at or above it; \
        2 some input could not be read or parsed, or a cluster audit could not list some kinds \
        (the report still covers the rest and names what is missing), or the cluster or etcd \
        could not be reached (no report); 3 usage error. `kcheck cluster` with several \
        --context: the worst of the contexts' codes.\n\n\
        Language (--lang en|zh): the flag, else KCHECK_LANG, else the locale (the first of LC_ALL, \
        LC_MESSAGES and LANG that is set: Chinese when it starts with zh), else English. Reports, \
        explain and the summary lines follow it."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Scan manifests: files, directories (recursively) and `-` for standard input.
    Scan(ScanArgs),
    /// List the rules.
    Rules(RulesArgs),
    /// Show a rule's documentation.
    Explain(ExplainArgs),
    /// Judge every workload against a Pod Security Standard exactly as Pod Security Admission
    /// would, at any version.
    Pss(PssArgs),
    /// Which subjects may do VERB on RESOURCE, through which bindings and roles (RBAC in the input).
    WhoCan(WhoCanArgs),
    /// Every subject with its dangerous rights and a digest of them, for the periodic access
    /// review (checklist item 1.5); `--record` writes the review record.
    AccessReview(AccessReviewArgs),
    /// Scan this node: static pods, processes, kubelet configuration, kubeconfigs, PKI, audit,
    /// encryption and admission configuration, file modes (run as root, or in a Job with the
    /// host's files under --root); manifests given as PATHs are judged in the same report.
    Node(NodeArgs),
    /// Judge container images from their archives (OCI layout, OCI or Docker archive, multi-arch
    /// index), read offline and streamed: what they hold (7.1), the user they run as and their
    /// setuid files (7.2), secrets baked in (6.1), their age and distribution (7.4), and the
    /// scanner reports given with --vuln-report (7.4).
    Image(ImageArgs),
    /// Audit a live cluster through its API (kubeconfig, context, or the in-cluster service
    /// account), or an offline `kubectl get` dump of it; the control plane's flags are judged
    /// when its pods are visible. Secrets are read as metadata only.
    Cluster(ClusterArgs),
    /// NetworkPolicy coverage: for every namespace and workload, whether its pods are isolated
    /// for ingress and egress and whether they can reach the cloud metadata API.
    Netpol(NetpolArgs),
    /// Compare two JSON reports of kcheck (`--format json`) item by item: what was fixed, what is
    /// new, what changed, which items changed status; a table, Markdown for a pull request, or
    /// JSON.
    Diff(DiffArgs),
    /// Summarise JSON reports of kcheck (`--format json`), one per cluster or run: per report and
    /// per checklist section the items of each status, the pass rate and the coverage; the items
    /// failing in every report and in most.
    Summary(SummaryArgs),
    /// Run the admission webhook: AdmissionReview over HTTPS at POST /validate, judged by the
    /// same rules (see crates/webhook/README.md); /healthz, /readyz, /metrics.
    Webhook(WebhookArgs),
}

#[derive(Args, Debug, Clone)]
pub struct ClusterArgs {
    /// The kubeconfig file (default: $KUBECONFIG, ~/.kube/config, else the in-cluster service
    /// account).
    #[arg(long, value_name = "FILE", conflicts_with = "from_dump")]
    pub kubeconfig: Option<PathBuf>,
    /// The kubeconfig context to use. Give it several times to audit several clusters in
    /// turn, with the same options: each report goes to --output-dir DIR as DIR/CONTEXT.EXT, or,
    /// as tables, to standard output after a header naming the context; a cluster that cannot
    /// be reached does not stop the others, and the exit code is the worst of them.
    #[arg(long, value_name = "NAME", conflicts_with = "from_dump")]
    pub context: Vec<String>,
    /// Write each context's report to DIR/CONTEXT.EXT (the context's name made safe for a
    /// file name; the extension from --format: txt, json, sarif, xml, md, html, yaml), created
    /// if missing; with --format json, also DIR/summary.html, the `kcheck summary` page of the
    /// reports written.
    #[arg(long, value_name = "DIR", conflicts_with_all = ["from_dump", "output", "print"])]
    pub output_dir: Option<PathBuf>,
    /// Audit one namespace: its objects, the Namespace itself and the cluster-scoped objects
    /// (ClusterRoles and their bindings, webhooks, ...). Everything is listed, then what lies in
    /// other namespaces is dropped; items that need the whole cluster are then not evaluated
    /// ("scoped to namespace NS") unless what was seen fails them.
    #[arg(long, short = 'n', value_name = "NS")]
    pub namespace: Option<String>,
    /// Audit a dump instead of a live cluster: `kubectl get ... -o json` output, or a directory
    /// of such files with `kubectl version -o json` as version.json (README shows the command).
    #[arg(long, value_name = "FILE|DIR")]
    pub from_dump: Option<PathBuf>,
    /// Read Secrets with their values, so that the certificates and keys in them are checked
    /// (items 1.3 and 1.4: KC111, KC112); by default only their metadata is read. Values are
    /// never printed.
    #[arg(long)]
    pub read_secret_data: bool,
    /// Report every Pod's findings on the Pod. By default a finding of a Pod's template is
    /// reported once, on its top owner in the cluster (Deployment, StatefulSet, DaemonSet,
    /// CronJob, ...) with the number of Pods it covers, and a Pod keeps only what differs from
    /// its template (an injected sidecar, an orphan Pod).
    #[arg(long)]
    pub per_pod: bool,
    /// Also try anonymous requests against the API server (`GET /api`, `GET /logs/`).
    #[arg(long, conflicts_with = "from_dump")]
    pub probe: bool,
    /// Requests in flight at once.
    #[arg(long, value_name = "N", default_value_t = 8, value_parser = clap::value_parser!(u32).range(1..=64))]
    pub concurrency: u32,
    /// Seconds one request may take (each is tried up to 5 times on 429, 5xx or a timeout).
    #[arg(long, value_name = "SECONDS", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub timeout: u64,
    /// Objects per list page.
    #[arg(long, value_name = "N", default_value_t = 500, value_parser = clap::value_parser!(u32).range(1..=10000))]
    pub page_size: u32,
    #[command(flatten)]
    pub judge: JudgeArgs,
    #[command(flatten)]
    pub images: ImageEvidenceArgs,
    /// Print the time spent collecting, judging and rendering to standard error.
    #[arg(long)]
    pub timings: bool,
    /// After the audit, server-side apply its PolicyReports and ClusterPolicyReports
    /// (wgpolicyk8s.io/v1alpha2, field manager `kcheck`) into the cluster and delete kcheck's
    /// reports that this run did not write (with -n, in that namespace only). Needs the
    /// PolicyReport CRDs and deploy/cluster-audit/publisher-rbac.yaml's ClusterRole.
    #[arg(long, conflicts_with = "from_dump")]
    pub publish: bool,
    /// Merge the node reports in DIR (`kcheck node --node-report FILE`) into the audit, besides
    /// those published as ConfigMaps in --node-report-namespace.
    #[arg(long, value_name = "DIR")]
    pub node_reports: Option<PathBuf>,
    /// The namespace where nodes publish their reports (`kcheck node --publish NS`).
    #[arg(long, value_name = "NS", default_value = kcheck_cluster::node_reports::DEFAULT_NAMESPACE)]
    pub node_report_namespace: String,
    /// Node reports older than this are not merged: their nodes' items are not evaluated.
    #[arg(long, value_name = "DURATION", default_value = "24h")]
    pub max_node_report_age: String,
    /// Print what follows from the kinds kcheck reads, and exit: the shell commands for an
    /// offline dump, or the rules of a read-only ClusterRole that lets kcheck see them all.
    #[arg(long, value_enum, value_name = "WHAT")]
    pub print: Option<ClusterPrint>,
    #[command(flatten)]
    pub limits: LimitArgs,
}

impl ClusterArgs {
    /// The context of a single-cluster audit: the first `--context`, if any.
    pub fn context(&self) -> Option<&str> {
        self.context.first().map(String::as_str)
    }
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum ClusterPrint {
    DumpCommand,
    ClusterRoleRules,
}

#[derive(Args, Debug)]
pub struct WebhookArgs {
    /// Address to listen on (HTTPS only).
    #[arg(long, value_name = "HOST:PORT", default_value = "0.0.0.0:8443")]
    pub addr: std::net::SocketAddr,
    /// Serving certificate (PEM, chain first); reloaded when it changes.
    #[arg(long, value_name = "FILE")]
    pub tls_cert: PathBuf,
    /// Serving key (PEM); reloaded when it changes.
    #[arg(long, value_name = "FILE")]
    pub tls_key: PathBuf,
    /// Configuration (YAML): engine keys as for scan, and a `webhook:` section with modes and
    /// failure behaviour.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Namespaces (YAML/JSON, e.g. `kubectl get ns -o yaml`) for Pod Security levels; reloaded
    /// when it changes.
    #[arg(long, value_name = "FILE", conflicts_with = "namespaces_from_api")]
    pub namespaces: Option<PathBuf>,
    /// Watch Namespaces through the API instead (in-cluster service account, or the
    /// kubeconfig): needs get, list and watch on namespaces.
    #[arg(long)]
    pub namespaces_from_api: bool,
    /// Language of denials, warnings and annotations (overrides the configuration file).
    #[arg(long, value_enum)]
    pub lang: Option<LangArg>,
}

#[derive(Args, Debug)]
pub struct NetpolArgs {
    /// Files, directories or `-` holding the workloads, namespaces and NetworkPolicies.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Only this namespace.
    #[arg(long, short = 'n', value_name = "NAMESPACE")]
    pub namespace: Option<String>,
    /// Only rows with a gap: a workload not isolated in some direction or able to reach the
    /// metadata API, a namespace without a default deny.
    #[arg(long)]
    pub gaps: bool,
    /// table, json or markdown.
    #[arg(long, short = 'f', value_enum, default_value_t = RulesFormat::Table)]
    pub format: RulesFormat,
    /// Language of the table and Markdown (JSON is the same in both).
    #[arg(long, value_enum, default_value_t = LangArg::from_env())]
    pub lang: LangArg,
    #[command(flatten)]
    pub config: ConfigArgs,
    #[command(flatten)]
    pub limits: LimitArgs,
}

#[derive(Args, Debug)]
pub struct DiffArgs {
    /// The earlier JSON report.
    #[arg(value_name = "OLD.json")]
    pub old: PathBuf,
    /// The later JSON report.
    #[arg(value_name = "NEW.json")]
    pub new: PathBuf,
    /// table, json or markdown.
    #[arg(long, short = 'f', value_enum, default_value_t = RulesFormat::Table)]
    pub format: RulesFormat,
    /// Language of the table and Markdown (JSON is the same in both).
    #[arg(long, value_enum, default_value_t = LangArg::from_env())]
    pub lang: LangArg,
    /// Findings shown per item and list in the table and Markdown, or `all` (JSON lists all).
    #[arg(long, value_name = "N|all", default_value = "10", value_parser = parse_examples)]
    pub examples: Examples,
    /// Exit 1 when a new failing finding has at least this severity.
    #[arg(long, value_enum, default_value_t = FailOn::None, value_name = "SEVERITY")]
    pub fail_on: FailOn,
    /// Write the comparison to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Args, Debug)]
pub struct SummaryArgs {
    /// JSON reports of scan, cluster, node or image. A report is named by the cluster, dump,
    /// node or paths it says it judged, else by its file's name.
    #[arg(required = true, value_name = "REPORT.json")]
    pub reports: Vec<PathBuf>,
    /// table, markdown, json or html (one self-contained page); default: from the --output
    /// file's extension (.json .md .html), else table.
    #[arg(long, short = 'f', value_enum)]
    pub format: Option<SummaryFormatArg>,
    /// Language of the table, Markdown and HTML (JSON is the same in both).
    #[arg(long, value_enum, default_value_t = LangArg::from_env())]
    pub lang: LangArg,
    /// Write the summary to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum SummaryFormatArg {
    Table,
    Json,
    Markdown,
    Html,
}

/// The lower-case extension of an output file, if any.
fn extension(output: Option<&std::path::Path>) -> Option<String> {
    output
        .and_then(|p| p.extension())
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
}

impl SummaryArgs {
    /// `--format`, else what the output file's extension says, else the table.
    pub fn format(&self) -> SummaryFormatArg {
        if let Some(f) = self.format {
            return f;
        }
        let ext = extension(self.output.as_deref());
        match ext.as_deref() {
            Some("json") => SummaryFormatArg::Json,
            Some("md" | "markdown") => SummaryFormatArg::Markdown,
            Some("html" | "htm") => SummaryFormatArg::Html,
            _ => SummaryFormatArg::Table,
        }
    }
}

#[derive(Args, Debug)]
pub struct AccessReviewArgs {
    /// Files, directories or `-` holding the RBAC objects.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// table, json or markdown.
    #[arg(long, short = 'f', value_enum, default_value_t = RulesFormat::Table)]
    pub format: RulesFormat,
    /// Language of the table and Markdown (JSON and the record are the same in both).
    #[arg(long, value_enum, default_value_t = LangArg::from_env())]
    pub lang: LangArg,
    /// Write the review record (a ConfigMap manifest) instead of the listing.
    #[arg(long, requires = "reviewer")]
    pub record: bool,
    /// Who reviewed the access (with --record).
    #[arg(long, value_name = "NAME")]
    pub reviewer: Option<String>,
    /// Write the record to this file instead of standard output (with --record).
    #[arg(long, short = 'o', value_name = "FILE", requires = "record")]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub limits: LimitArgs,
}

#[derive(Args, Debug)]
pub struct WhoCanArgs {
    /// The verb: get, list, create, update, patch, delete, escalate, bind, impersonate, ... or `*`.
    pub verb: String,
    /// The resource, with a subresource and an API group as kubectl spells them:
    /// `pods`, `pods/exec`, `deployments.apps`, `clusterroles.rbac.authorization.k8s.io`;
    /// or a non-resource URL such as `/metrics`.
    pub resource: String,
    /// Only grants that reach this namespace (cluster-wide grants always do).
    #[arg(long, short = 'n', value_name = "NAMESPACE")]
    pub namespace: Option<String>,
    /// The object's name: rules limited to `resourceNames` count only when they list it.
    /// Without it, such rules are shown with their names.
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,
    /// Files, directories or `-` holding the RBAC objects.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// table, json or markdown.
    #[arg(long, short = 'f', value_enum, default_value_t = RulesFormat::Table)]
    pub format: RulesFormat,
    /// Language of the table and Markdown (JSON is the same in both).
    #[arg(long, value_enum, default_value_t = LangArg::from_env())]
    pub lang: LangArg,
    #[command(flatten)]
    pub limits: LimitArgs,
}

#[derive(Args, Debug)]
pub struct PssArgs {
    /// Files, directories or `-` (standard input).
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// baseline or restricted; give it twice to see both side by side.
    #[arg(long, value_name = "LEVEL", required = true, value_parser = ["baseline", "restricted", "privileged"])]
    pub level: Vec<String>,
    /// Policy version: v1.N or latest.
    #[arg(long, value_name = "VERSION", default_value = "latest")]
    pub version: String,
    #[command(flatten)]
    pub output: OutputArgs,
    #[command(flatten)]
    pub limits: LimitArgs,
}

/// What the commands that judge (scan, node, cluster) share: the report, when to fail, the
/// configuration and the waivers.
#[derive(Args, Debug, Clone)]
pub struct JudgeArgs {
    #[command(flatten)]
    pub output: OutputArgs,
    /// Exit 1 when a failing finding has at least this severity; `none` for a report-only run
    /// (exit 0 whatever was found, 2 still when the input or the cluster could not be read).
    #[arg(long, value_enum, default_value_t = FailOn::Low, value_name = "SEVERITY")]
    pub fail_on: FailOn,
    #[command(flatten)]
    pub config: ConfigArgs,
    /// Waiver file (YAML): accepted findings by rule, namespace, kind, name and container, each
    /// with a reason and an optional expiry date.
    #[arg(long, value_name = "FILE")]
    pub waivers: Option<PathBuf>,
    /// Ignore `kcheck.io/ignore` annotations, so that workload owners cannot exempt themselves.
    #[arg(long)]
    pub no_annotation_waivers: bool,
    /// An earlier JSON report of the same input (`--format json`): its findings are marked
    /// existing, the others new, and those gone are listed as fixed; --fail-on then counts only
    /// new findings. Matched by fingerprint (rule, object, field), so moved lines do not count.
    #[arg(long, value_name = "REPORT.json")]
    pub baseline: Option<PathBuf>,
}

/// What the rules are told about the cluster.
#[derive(Args, Debug, Clone)]
pub struct ConfigArgs {
    /// Configuration file (YAML): kubeVersion, podSecurity.defaultLevel, podSecurity.exemptNamespaces.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// The cluster's Kubernetes version (v1.N): what `latest` means, and which pinned versions are old.
    #[arg(long, value_name = "VERSION")]
    pub kube_version: Option<String>,
}

#[derive(Args, Debug)]
pub struct ScanArgs {
    /// Files, directories or `-` (standard input): YAML, JSON, multi-document, List, kubectl get output.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Pass over files and directories matching GLOB (repeatable): a path relative to the
    /// directory given, or a name alone (`vendor/*`, `*.values.yaml`, `docker-compose.yml`). A
    /// `.kcheckignore` in a directory given holds more, one per line. What is passed over is
    /// listed in the report.
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,
    #[command(flatten)]
    pub judge: JudgeArgs,
    #[command(flatten)]
    pub images: ImageEvidenceArgs,
    /// Print the time spent loading, in each rule and rendering to standard error.
    #[arg(long)]
    pub timings: bool,
    /// Load every object before judging instead of file by file (the same report, in memory
    /// that grows with the input; for comparing the two).
    #[arg(long, hide = true)]
    pub in_memory: bool,
    #[command(flatten)]
    pub limits: LimitArgs,
}

#[derive(Args, Debug)]
pub struct ImageArgs {
    /// Image archives or OCI layout directories: `docker save`, `podman save`, `skopeo copy ...
    /// oci-archive:`/`docker-archive:`/`oci:`, gzip- or zstd-compressed as a whole or not.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub evidence: ImageReportArgs,
    #[command(flatten)]
    pub judge: JudgeArgs,
}

/// Scanner reports and platform choice, shared by `kcheck image` and the `--images` of `scan`
/// and `cluster`.
#[derive(Args, Debug, Default, Clone)]
pub struct ImageReportArgs {
    /// A vulnerability scanner's report (repeatable): Trivy JSON (`trivy image -f json`, or
    /// `trivy k8s`), Grype JSON, or CycloneDX with vulnerabilities; tied to images by digest,
    /// else by name and tag.
    #[arg(long, value_name = "FILE")]
    pub vuln_report: Vec<PathBuf>,
    /// Judge only this platform of multi-platform images (`linux/amd64`, `linux/arm64/v8`);
    /// default: every platform.
    #[arg(long, value_name = "OS/ARCH[/VARIANT]")]
    pub platform: Option<String>,
}

/// Image evidence for `scan` and `cluster`.
#[derive(Args, Debug, Default, Clone)]
pub struct ImageEvidenceArgs {
    /// A directory of image archives (and OCI layout directories): each container's image is
    /// matched to one (by digest when it has one, else by name and tag) and judged with the workload for items
    /// 7.1, 7.2, 7.4 and 6.1; containers whose image is not there leave 7.1 and 7.2 not
    /// evaluated.
    #[arg(long, value_name = "DIR")]
    pub images: Option<PathBuf>,
    #[command(flatten)]
    pub reports: ImageReportArgs,
}

#[derive(Args, Debug)]
pub struct NodeArgs {
    /// Manifests to judge with the node (files, directories or `-`); none for the node alone.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// The directory that is the node's `/` (a mounted node image, or `/host` in a Job).
    #[arg(long, value_name = "DIR", default_value = "/")]
    pub root: PathBuf,
    /// Where running processes are listed (default: ROOT/proc).
    #[arg(long = "proc", value_name = "DIR")]
    pub proc_dir: Option<PathBuf>,
    /// The static pod directory, as a path on the node (default: the distribution's,
    /// /etc/kubernetes/manifests for kubeadm).
    #[arg(long, value_name = "DIR")]
    pub manifests: Option<String>,
    /// Read the node as this distribution instead of detecting it: kubeadm, k3s, rke2,
    /// microk8s, kind, openshift, eks, gke, aks.
    #[arg(long, value_name = "NAME", value_parser = parse_distro)]
    pub distro: Option<kcheck_model::Distro>,
    #[command(flatten)]
    pub judge: JudgeArgs,
    #[command(flatten)]
    pub images: ImageEvidenceArgs,
    #[command(flatten)]
    pub etcd: EtcdArgs,
    /// Try anonymous requests to this node's API server, kubelet and etcd ports (127.0.0.1 only;
    /// in a Job this needs hostNetwork) and report what answered.
    #[arg(long)]
    pub probe: bool,
    #[command(flatten)]
    pub limits: LimitArgs,
    /// Also write this node's report for a cluster audit to merge (`kcheck cluster
    /// --node-reports DIR`): the node items' verdicts, findings and notes in both languages.
    #[arg(long, value_name = "FILE")]
    pub node_report: Option<PathBuf>,
    /// Publish this node's report as ConfigMap kcheck-node-<node> in namespace NS, where `kcheck
    /// cluster` merges it (in a pod, with its service account: deploy/node-scan/).
    #[arg(long, value_name = "NS")]
    pub publish: Option<String>,
    /// The node's name in the cluster (default: $NODE_NAME, else the host name).
    #[arg(long, value_name = "NAME")]
    pub node_name: Option<String>,
    /// Scan and publish again every DURATION (`6h`) until stopped: the DaemonSet's loop.
    #[arg(long, value_name = "DURATION", requires = "publish")]
    pub every: Option<String>,
    /// kubeconfig for --publish (default: in a pod, its service account; else $KUBECONFIG or
    /// ~/.kube/config).
    #[arg(long, value_name = "FILE", requires = "publish")]
    pub kubeconfig: Option<PathBuf>,
}

/// Reading etcd to verify encryption at rest (item 6.2). Files are paths as this process sees
/// them (not under --root).
#[derive(Args, Debug)]
pub struct EtcdArgs {
    /// Read the raw Secret values in etcd at this URL (`https://127.0.0.1:2379`) and report the
    /// Secrets stored without encryption (names only, never values).
    #[arg(long, value_name = "URL")]
    pub etcd_endpoint: Option<String>,
    /// Client certificate for etcd (PEM), e.g. /etc/kubernetes/pki/apiserver-etcd-client.crt.
    #[arg(long, value_name = "FILE", requires = "etcd_endpoint")]
    pub etcd_cert: Option<PathBuf>,
    /// The client certificate's key (PEM), e.g. /etc/kubernetes/pki/apiserver-etcd-client.key.
    #[arg(long, value_name = "FILE", requires = "etcd_endpoint")]
    pub etcd_key: Option<PathBuf>,
    /// CA that signed etcd's serving certificate (PEM), e.g. /etc/kubernetes/pki/etcd/ca.crt.
    #[arg(long, value_name = "FILE", requires = "etcd_endpoint")]
    pub etcd_ca: Option<PathBuf>,
}

#[derive(Args, Debug, Clone)]
pub struct OutputArgs {
    /// Report format (default: from the --output file's extension, .json .sarif .xml .md .html,
    /// else table).
    #[arg(long, short = 'f', value_enum)]
    pub format: Option<FormatArg>,
    /// Write the report to this file instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Language of every human-facing string.
    #[arg(long, value_enum, default_value_t = LangArg::from_env())]
    pub lang: LangArg,
    /// Colour in the table format: auto (a terminal, and NO_COLOR unset), always or never.
    #[arg(long, value_enum, default_value_t = ColorArg::Auto)]
    pub color: ColorArg,
    /// Table, Markdown and HTML: findings are grouped by item, rule and namespace; show at most
    /// N namespaces of a rule and N findings of a namespace, and count the rest (`all` shows
    /// every finding). JSON, SARIF and JUnit always hold every finding.
    #[arg(long, value_name = "N|all", default_value = "3", value_parser = parse_examples)]
    pub examples: Examples,
}

/// `--examples`: how many examples per group, or all of them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Examples(pub Option<usize>);

fn parse_examples(s: &str) -> Result<Examples, String> {
    if s.eq_ignore_ascii_case("all") {
        return Ok(Examples(None));
    }
    s.parse::<usize>()
        .map(|n| Examples(Some(n)))
        .map_err(|_| format!("expected a number or `all`, not `{s}`"))
}

/// Bounds against hostile input.
#[derive(Args, Debug, Clone)]
pub struct LimitArgs {
    /// Largest file read, in bytes.
    #[arg(long, value_name = "BYTES", default_value_t = kcheck_load::Limits::default().max_file_bytes)]
    pub max_file_size: u64,
    /// Largest YAML document, in characters.
    #[arg(long, value_name = "CHARS", default_value_t = kcheck_load::Limits::default().max_document_bytes)]
    pub max_document_size: usize,
    /// Deepest nesting of mappings and sequences.
    #[arg(long, value_name = "LEVELS", default_value_t = kcheck_load::Limits::default().max_depth)]
    pub max_depth: usize,
    /// Most nodes a document may gain by expanding YAML aliases.
    #[arg(long, value_name = "NODES", default_value_t = kcheck_load::Limits::default().max_alias_nodes)]
    pub max_alias_nodes: usize,
    /// Most nodes in one document.
    #[arg(long, value_name = "NODES", default_value_t = kcheck_load::Limits::default().max_nodes)]
    pub max_nodes: usize,
}

impl LimitArgs {
    pub fn limits(&self) -> kcheck_load::Limits {
        kcheck_load::Limits {
            max_file_bytes: self.max_file_size,
            max_document_bytes: self.max_document_size,
            max_depth: self.max_depth,
            max_alias_nodes: self.max_alias_nodes,
            max_nodes: self.max_nodes,
        }
    }
}

#[derive(Args, Debug)]
pub struct RulesArgs {
    /// table, json or markdown.
    #[arg(long, short = 'f', value_enum, default_value_t = RulesFormat::Table)]
    pub format: RulesFormat,
    #[arg(long, value_enum, default_value_t = LangArg::from_env())]
    pub lang: LangArg,
}

#[derive(Args, Debug)]
pub struct ExplainArgs {
    /// A rule code (KC301) or name (privileged-container).
    pub code: String,
    #[arg(long, value_enum, default_value_t = LangArg::from_env())]
    pub lang: LangArg,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum FormatArg {
    Table,
    Json,
    Sarif,
    Junit,
    Markdown,
    Html,
    /// wgpolicyk8s.io/v1alpha2 PolicyReports and a ClusterPolicyReport (YAML).
    Policyreport,
}

impl OutputArgs {
    /// `--format`, else what the output file's extension says, else the table.
    pub fn format(&self) -> FormatArg {
        if let Some(f) = self.format {
            return f;
        }
        let ext = extension(self.output.as_deref());
        match ext.as_deref() {
            Some("json") => FormatArg::Json,
            Some("sarif") => FormatArg::Sarif,
            Some("xml") => FormatArg::Junit,
            Some("md" | "markdown") => FormatArg::Markdown,
            Some("html" | "htm") => FormatArg::Html,
            _ => FormatArg::Table,
        }
    }
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum RulesFormat {
    Table,
    Json,
    Markdown,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum LangArg {
    En,
    Zh,
}

impl LangArg {
    /// The language when `--lang` is not given: `KCHECK_LANG` (`en` or `zh`), else the locale
    /// (`LC_ALL`, `LC_MESSAGES`, `LANG`, the first one set: Chinese when it starts with `zh`),
    /// else English.
    pub fn from_env() -> LangArg {
        Self::from_vars(|name| std::env::var(name).ok())
    }

    fn from_vars(var: impl Fn(&str) -> Option<String>) -> LangArg {
        if let Some(lang) = var("KCHECK_LANG").and_then(|v| kcheck_model::Lang::parse(&v)) {
            return match lang {
                kcheck_model::Lang::En => LangArg::En,
                kcheck_model::Lang::Zh => LangArg::Zh,
            };
        }
        let locale = ["LC_ALL", "LC_MESSAGES", "LANG"]
            .into_iter()
            .find_map(|name| var(name).filter(|v| !v.is_empty()));
        match locale {
            Some(l) if l.to_ascii_lowercase().starts_with("zh") => LangArg::Zh,
            _ => LangArg::En,
        }
    }

    pub fn lang(self) -> kcheck_model::Lang {
        match self {
            LangArg::En => kcheck_model::Lang::En,
            LangArg::Zh => kcheck_model::Lang::Zh,
        }
    }
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum ColorArg {
    Auto,
    Always,
    Never,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum FailOn {
    Info,
    Low,
    Medium,
    High,
    Critical,
    /// Findings never set the exit code.
    None,
}

/// Parses the command line; on a usage error prints it and returns exit code 3 (help and
/// version return 0).
/// Invoked as `kubectl-kcheck` (a kubectl plugin, `kubectl kcheck ...`), the usage and help
/// name the command `kubectl kcheck`.
pub fn parse() -> Result<Cli, u8> {
    use clap::{CommandFactory, FromArgMatches};
    let mut command = Cli::command();
    if std::env::args_os()
        .next()
        .is_some_and(|argv0| is_plugin_name(std::path::Path::new(&argv0)))
    {
        command = command.bin_name(PLUGIN).display_name(PLUGIN);
    }
    let parsed = command
        .try_get_matches_from_mut(std::env::args_os())
        .and_then(|m| Cli::from_arg_matches(&m).map_err(|e| e.format(&mut command)));
    match parsed {
        Ok(cli) => Ok(cli),
        Err(e) => {
            let code = if e.use_stderr() {
                crate::exit::USAGE
            } else {
                crate::exit::OK
            };
            let _ = e.print();
            Err(code)
        }
    }
}

/// The command's name as a kubectl plugin.
const PLUGIN: &str = "kubectl kcheck";

/// Whether argv[0] names the plugin: `kubectl-kcheck`, or `kubectl-kcheck.exe` on Windows, in
/// any directory.
fn is_plugin_name(argv0: &std::path::Path) -> bool {
    let Some(name) = argv0.file_name().and_then(|n| n.to_str()) else {
        return false;
    };
    let name = name.strip_suffix(".exe").unwrap_or(name);
    name == "kubectl-kcheck"
}

/// A `--distro` name.
fn parse_distro(name: &str) -> Result<kcheck_model::Distro, String> {
    kcheck_model::Distro::from_name(name)
        .filter(|d| *d != kcheck_model::Distro::Unknown)
        .ok_or_else(|| {
            let names: Vec<&str> = kcheck_model::Distro::ALL
                .iter()
                .filter(|d| **d != kcheck_model::Distro::Unknown)
                .map(|d| d.name())
                .collect();
            format!(
                "unknown distribution {name:?}; one of: {}",
                names.join(", ")
            )
        })
}

#[cfg(test)]
mod tests {
    use super::LangArg;

    #[test]
    fn the_plugin_is_known_by_its_file_name() {
        use super::is_plugin_name;
        use std::path::Path;
        assert!(is_plugin_name(Path::new("kubectl-kcheck")));
        assert!(is_plugin_name(Path::new("/usr/local/bin/kubectl-kcheck")));
        assert!(is_plugin_name(Path::new("C:/krew/bin/kubectl-kcheck.exe")));
        assert!(!is_plugin_name(Path::new("/usr/bin/kcheck")));
        assert!(!is_plugin_name(Path::new("kubectl-kcheck-old")));
    }

    fn lang(vars: &[(&str, &str)]) -> kcheck_model::Lang {
        LangArg::from_vars(|name| {
            vars.iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| v.to_string())
        })
        .lang()
    }

    #[test]
    fn the_language_comes_from_kcheck_lang_then_the_locale() {
        use kcheck_model::Lang::{En, Zh};
        assert_eq!(lang(&[]), En);
        assert_eq!(lang(&[("LANG", "zh_CN.UTF-8")]), Zh);
        assert_eq!(lang(&[("LANG", "C.UTF-8")]), En);
        // LC_ALL wins over LANG, and an empty one is passed over.
        assert_eq!(lang(&[("LC_ALL", "en_US.UTF-8"), ("LANG", "zh_CN")]), En);
        assert_eq!(lang(&[("LC_ALL", ""), ("LANG", "zh_TW")]), Zh);
        assert_eq!(lang(&[("LC_MESSAGES", "zh_CN"), ("LANG", "en_US")]), Zh);
        // KCHECK_LANG wins over the locale; a value it does not know is passed over.
        assert_eq!(lang(&[("KCHECK_LANG", "en"), ("LANG", "zh_CN")]), En);
        assert_eq!(lang(&[("KCHECK_LANG", "zh"), ("LANG", "en_US")]), Zh);
        assert_eq!(lang(&[("KCHECK_LANG", "fr"), ("LANG", "zh_CN")]), Zh);
    }
}
