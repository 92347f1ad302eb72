//! `slurm_state.json`: the status sync's cache of each trial's latest SLURM detail
//! (state, reason, exit code, elapsed time, memory), so finished jobs are never
//! queried again. herd's own file, compact JSON; missing or unreadable reads as empty.

use crate::error::Error;
use crate::model::record::Observation;
use crate::store::fs::{read_optional, write_atomic};
use crate::store::workspace::Workspace;
use std::collections::BTreeMap;

/// Details of one trial's latest submission, kept between syncs in
/// `.hyperherd/slurm_state.json` (so finished jobs are never queried again).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Detail {
    /// `JOB_TASK`.
    pub job: String,
    /// The observation.
    pub obs: Observation,
}

fn cache_path(ws: &Workspace) -> std::path::PathBuf {
    ws.dir().join("slurm_state.json")
}

/// One trial's entry in the details cache (herd's own file: compact JSON).
#[derive(serde::Serialize, serde::Deserialize)]
struct CacheEntry<'a> {
    #[serde(borrow)]
    job: std::borrow::Cow<'a, str>,
    #[serde(borrow)]
    state: std::borrow::Cow<'a, str>,
    #[serde(borrow)]
    reason: Option<std::borrow::Cow<'a, str>>,
    exit_code: Option<i64>,
    elapsed_seconds: Option<u64>,
    max_rss_bytes: Option<u64>,
    req_mem_bytes: Option<u64>,
}

/// Read the details cache (missing or unreadable → empty: it is only a cache).
pub fn read_cache(ws: &Workspace) -> BTreeMap<u64, Detail> {
    let Ok(Some(text)) = read_optional(&cache_path(ws)) else {
        return BTreeMap::new();
    };
    let Ok(entries) = serde_json::from_str::<BTreeMap<u64, CacheEntry<'_>>>(&text) else {
        return BTreeMap::new();
    };
    entries
        .into_iter()
        .map(|(i, e)| {
            let obs = Observation {
                state: e.state.into_owned(),
                reason: e.reason.map(|r| r.into_owned()),
                exit_code: e.exit_code,
                elapsed_seconds: e.elapsed_seconds,
                max_rss_bytes: e.max_rss_bytes,
                req_mem_bytes: e.req_mem_bytes,
            };
            (
                i,
                Detail {
                    job: e.job.into_owned(),
                    obs,
                },
            )
        })
        .collect()
}

/// The cache's text: serde_json's compact form of `BTreeMap<u64, CacheEntry>`, written
/// directly (a sync of 10,000 trials spent a tenth of its time here through serde).
fn cache_text(cache: &BTreeMap<u64, Detail>) -> Vec<u8> {
    use crate::model::ndjson::{write_opt_i64, write_opt_str, write_opt_u64, write_str, write_u64};
    let mut out = Vec::with_capacity(64 + 160 * cache.len());
    out.push(b'{');
    for (k, (i, d)) in cache.iter().enumerate() {
        if k > 0 {
            out.push(b',');
        }
        out.push(b'"');
        write_u64(&mut out, *i);
        out.extend_from_slice(b"\":{\"job\":");
        write_str(&mut out, &d.job);
        out.extend_from_slice(b",\"state\":");
        write_str(&mut out, &d.obs.state);
        out.extend_from_slice(b",\"reason\":");
        write_opt_str(&mut out, d.obs.reason.as_deref());
        out.extend_from_slice(b",\"exit_code\":");
        write_opt_i64(&mut out, d.obs.exit_code);
        out.extend_from_slice(b",\"elapsed_seconds\":");
        write_opt_u64(&mut out, d.obs.elapsed_seconds);
        out.extend_from_slice(b",\"max_rss_bytes\":");
        write_opt_u64(&mut out, d.obs.max_rss_bytes);
        out.extend_from_slice(b",\"req_mem_bytes\":");
        write_opt_u64(&mut out, d.obs.req_mem_bytes);
        out.push(b'}');
    }
    out.push(b'}');
    out
}

pub(crate) fn write_cache(ws: &Workspace, cache: &BTreeMap<u64, Detail>) -> Result<(), Error> {
    write_atomic(&cache_path(ws), &cache_text(cache))
}

/// Record in the details cache that herd-stop cancelled these trials, so the table
/// shows `CANCELLED` rather than the state before (cancelled trials are not synced).
pub fn note_cancelled(
    ws: &Workspace,
    indices: &[u64],
    mut details: BTreeMap<u64, Detail>,
) -> Result<BTreeMap<u64, Detail>, Error> {
    for i in indices {
        let d = details.entry(*i).or_default();
        d.obs.state = "CANCELLED".into();
        d.obs.reason = Some("cancelled by herd-stop".into());
        d.obs.exit_code = None; // what it had was a running task's 0:0
    }
    write_cache(ws, &details)?;
    Ok(details)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cache_text_is_serde_jsons_and_reads_back() {
        let mut cache = BTreeMap::new();
        for (i, reason) in [(3u64, None), (10, Some("CANCELLED by 0 \"x\"\n"))] {
            cache.insert(
                i,
                Detail {
                    job: format!("77_{i}"),
                    obs: Observation {
                        state: "CANCELLED".into(),
                        reason: reason.map(str::to_string),
                        exit_code: Some(-2),
                        elapsed_seconds: None,
                        max_rss_bytes: Some(1 << 40),
                        req_mem_bytes: Some(0),
                    },
                },
            );
        }
        let via_serde: BTreeMap<u64, CacheEntry<'_>> = cache
            .iter()
            .map(|(i, d)| {
                let e = CacheEntry {
                    job: d.job.as_str().into(),
                    state: d.obs.state.as_str().into(),
                    reason: d.obs.reason.as_deref().map(Into::into),
                    exit_code: d.obs.exit_code,
                    elapsed_seconds: d.obs.elapsed_seconds,
                    max_rss_bytes: d.obs.max_rss_bytes,
                    req_mem_bytes: d.obs.req_mem_bytes,
                };
                (*i, e)
            })
            .collect();
        let text = cache_text(&cache);
        assert_eq!(text, serde_json::to_vec(&via_serde).unwrap());
        let root = std::env::temp_dir().join(format!("herd-cache-{}", std::process::id()));
        let ws = Workspace::new(&root);
        std::fs::create_dir_all(ws.dir()).unwrap();
        write_cache(&ws, &cache).unwrap();
        assert_eq!(read_cache(&ws), cache);
        let _ = std::fs::remove_dir_all(&root);
    }
}
