//! `kcheck image`: judge image archives on their own; and the image evidence of `scan` and
//! `cluster` (`--images DIR`, `--vuln-report FILE`).

use crate::args::{ImageArgs, ImageEvidenceArgs};
use crate::commands::{emit, exit_code, judging_setup};
use crate::exit;
use kcheck_image::vuln::read_vuln_report;
use kcheck_image::{read_images, ReadError, ReadOptions};
use kcheck_model::image::{ImageEvidence, ImageFacts, VulnReport};
use kcheck_model::{Diagnostic, DiagnosticSeverity, Evidence, Inputs, Inventory, Text};
use kcheck_rules::Engine;
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub fn run(args: ImageArgs) -> anyhow::Result<u8> {
    let Some((config, waivers)) = judging_setup(&args.judge) else {
        return Ok(exit::USAGE);
    };
    let mut inputs = Inputs::default();
    let options = ReadOptions {
        platform: args.evidence.platform.clone(),
        ..ReadOptions::default()
    };
    let mut images = Vec::new();
    for path in &args.paths {
        read_one(path, &options, &mut images, &mut inputs);
    }
    let reports = read_reports(&args.evidence.vuln_report, &mut inputs);
    let evidence = ImageEvidence {
        images,
        reports,
        dir: None,
        linked: false,
    };
    unmatched_reports(&evidence, &mut inputs);
    let engine = Engine::default()
        .with_config(config)
        .with_waivers(waivers)
        .with_images(evidence)
        .at(crate::commands::run_now());
    let report = engine.run(&Inventory::new(Vec::new()), &[Evidence::Images], inputs);
    let mut report = report;
    report.target = Some(crate::commands::target("image", &args.paths));
    if let Err(code) = crate::commands::compare_baseline(&mut report, &args.judge) {
        return Ok(code);
    }
    emit(&report, &args.judge.output, false)?;
    Ok(exit_code(&report, &args.judge))
}

/// The image evidence `scan` and `cluster` were asked for, read into `inputs`' diagnostics;
/// `None` without `--images` or `--vuln-report`.
pub fn evidence(args: &ImageEvidenceArgs, inputs: &mut Inputs) -> Option<ImageEvidence> {
    if args.images.is_none() && args.reports.vuln_report.is_empty() {
        return None;
    }
    let options = ReadOptions {
        platform: args.reports.platform.clone(),
        ..ReadOptions::default()
    };
    let mut images = Vec::new();
    if let Some(dir) = &args.images {
        match archives_in(dir) {
            Ok(paths) => {
                for path in paths {
                    if path.is_file() && !looks_like_archive(&path) {
                        inputs.files_skipped += 1;
                        inputs.skipped.push(kcheck_model::Skipped {
                            path: path.display().to_string(),
                            reason: Text::fixed(
                                "not a tar, gzip or zstd file: not an image archive",
                                "不是 tar、gzip 或 zstd 文件：不是镜像归档",
                            ),
                        });
                        continue;
                    }
                    read_one(&path, &options, &mut images, inputs);
                }
            }
            Err(e) => inputs.diagnostics.push(error(
                dir,
                0,
                0,
                Text::new(
                    format!("--images: cannot list the directory: {e}"),
                    format!("--images：无法列出该目录：{e}"),
                ),
            )),
        }
    }
    let reports = read_reports(&args.reports.vuln_report, inputs);
    Some(ImageEvidence {
        images,
        reports,
        dir: args.images.as_ref().map(|d| d.display().to_string()),
        // Workloads are matched to images whenever image evidence is given: a container whose
        // image is in no archive is then "not examined", never silently clean.
        linked: true,
    })
}

/// The archives and layout directories directly under `dir`, sorted: regular files, and
/// directories that hold an `oci-layout`, `index.json` or `manifest.json`.
fn archives_in(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if name.starts_with('.') {
            continue;
        }
        if path.is_file()
            || (path.is_dir()
                && ["oci-layout", "index.json", "manifest.json"]
                    .iter()
                    .any(|f| path.join(f).is_file()))
        {
            out.push(path);
        }
    }
    out.sort();
    Ok(out)
}

/// Whether a file starts as an image archive can: gzip or zstd magic, or a tar header (`ustar`
/// at offset 257). Other files in `--images DIR` (a README, a scanner report) are passed over.
fn looks_like_archive(path: &Path) -> bool {
    use std::io::Read;
    let mut head = [0u8; 262];
    let n = std::fs::File::open(path)
        .and_then(|mut f| {
            let mut n = 0;
            while n < head.len() {
                match f.read(&mut head[n..])? {
                    0 => break,
                    k => n += k,
                }
            }
            Ok(n)
        })
        .unwrap_or(0);
    let head = &head[..n];
    head.starts_with(&[0x1f, 0x8b])
        || head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd])
        || head.get(257..262) == Some(b"ustar")
}

/// Reads one archive or layout: its images into `images`, what could not be read, and what
/// the reader bounded or refused inside it, into `inputs`.
fn read_one(path: &Path, options: &ReadOptions, images: &mut Vec<ImageFacts>, inputs: &mut Inputs) {
    match read_images(path, options) {
        Ok(read) => {
            inputs.files_read += 1;
            inputs.bytes_read += std::fs::metadata(path).map_or(0, |m| m.len());
            for image in &read {
                for p in &image.problems {
                    let at = match p.layer {
                        Some(l) => format!("layer {} ", l + 1),
                        None => String::new(),
                    };
                    let (path_en, path_zh) = (&p.path, &p.path);
                    inputs.diagnostics.push(Diagnostic {
                        file: Arc::from(image.source.as_str()),
                        line: 0,
                        column: 0,
                        severity: DiagnosticSeverity::Warning,
                        message: Text::new(
                            format!("{at}{path_en}: {}", p.message),
                            format!("{}{path_zh}：{}", layer_zh(p.layer), p.message),
                        ),
                    });
                }
            }
            images.extend(read);
        }
        Err(e) => {
            let (line, column) = match &e {
                ReadError::Json { line, column, .. } => (*line as u32, *column as u32),
                _ => (0, 0),
            };
            let message = e.to_string();
            inputs.diagnostics.push(error(
                path,
                line,
                column,
                Text::new(
                    format!("not read as an image: {message}"),
                    format!("无法作为镜像读取：{message}"),
                ),
            ));
        }
    }
}

fn layer_zh(layer: Option<usize>) -> String {
    layer.map_or_else(String::new, |l| format!("第 {} 层 ", l + 1))
}

fn read_reports(files: &[PathBuf], inputs: &mut Inputs) -> Vec<VulnReport> {
    let mut reports = Vec::new();
    for file in files {
        match read_vuln_report(file) {
            Ok(read) => {
                inputs.files_read += 1;
                inputs.bytes_read += std::fs::metadata(file).map_or(0, |m| m.len());
                reports.extend(read);
            }
            Err(e) => {
                let message = e.to_string();
                inputs.diagnostics.push(error(
                    file,
                    0,
                    0,
                    Text::new(
                        format!("not read as a scanner report: {message}"),
                        format!("无法作为漏洞扫描报告读取：{message}"),
                    ),
                ));
            }
        }
    }
    reports
}

/// Scanner reports that match no image of a `kcheck image` run: said, so that a typo in an
/// image name does not pass for a clean scan.
fn unmatched_reports(evidence: &ImageEvidence, inputs: &mut Inputs) {
    for report in &evidence.reports {
        let used = evidence.images.iter().any(|i| {
            evidence
                .reports_for(i)
                .iter()
                .any(|r| std::ptr::eq(*r, report))
        });
        if !used {
            let image = &report.image;
            inputs.diagnostics.push(Diagnostic {
                file: Arc::from(report.file.as_str()),
                line: 0,
                column: 0,
                severity: DiagnosticSeverity::Warning,
                message: Text::new(
                    format!("the report of {image} matches no image given"),
                    format!("{image} 的报告与给出的任何镜像都不对应"),
                ),
            });
        }
    }
}

fn error(path: &Path, line: u32, column: u32, message: Text) -> Diagnostic {
    Diagnostic {
        file: Arc::from(path.display().to_string().as_str()),
        line,
        column,
        severity: DiagnosticSeverity::Error,
        message,
    }
}
