//! What the benchmark tools (`linli-load`, `linli-raw`) share: local dates, percentiles, and the
//! JSON lines `scripts/loadtest.sh` turns into BENCHMARKS.md's table.

/// The options both tools take.
#[derive(clap::Args, Debug)]
pub struct RunArgs {
    /// Residents answering at once, each with its own session (linli-load) or task (linli-raw).
    #[arg(long, default_value_t = 200)]
    pub clients: usize,
    /// Seats of the occurrence everyone answers for.
    #[arg(long, default_value_t = 50)]
    pub capacity: i64,
    /// A name for this run in the report (e.g. the engine).
    #[arg(long, default_value = "")]
    pub label: String,
    /// Append one JSON line with the figures to this file.
    #[arg(long)]
    pub json: Option<std::path::PathBuf>,
}

/// The local date `days` from today in Asia/Shanghai, `YYYY-MM-DD`.
pub fn local_date(days: i64) -> String {
    let today = (store::now() + domain::date::SHANGHAI_OFFSET_SECS).div_euclid(86_400);
    let (y, m, d) = domain::date::civil_from_days(today + days);
    format!("{y:04}-{m:02}-{d:02}")
}

/// The `p` percentile of `sorted` latencies in microseconds, in milliseconds.
pub fn percentile(sorted: &[u32], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i] as f64 / 1000.0
}

/// Appends `line` to the figures file at `path`.
pub fn append_json_line(path: &std::path::Path, line: &serde_json::Value) -> Result<(), String> {
    use std::io::Write;
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    writeln!(f, "{line}").map_err(|e| e.to_string())
}
