//! The user's SLURM submit limits and a partition's resource caps: how many jobs a
//! sweep may have queued at once (so it is submitted in waves that fit), and how far a
//! failed trial's memory and time may be raised.
//!
//! Each SLURM call is made with [`run`]'s deadline; each parser is a pure function of
//! the command's text, tested on output captured from a real cluster.

use super::{parse_limits, run, Output};
use crate::error::Error;
use crate::model::retry::Caps;

/// The most of this user's jobs (array tasks count one each) SLURM accepts queued or
/// running at once, and where that number comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubmitLimit {
    /// The limit.
    pub max: u64,
    /// Where it comes from, e.g. "QOS lim4 MaxSubmitJobsPerUser=4",
    /// "association MaxSubmitJobs=10 (account ml)" or "MaxJobCount=100000".
    pub source: String,
}

/// One association of the user (a user has one per account, and per partition where
/// the site sets them): a row of
/// `sacctmgr -n -P show assoc where user=U format=Account,Partition,MaxSubmit,GrpSubmit,DefaultQOS,QOS`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assoc {
    /// Account.
    pub account: String,
    /// Partition, empty for all.
    pub partition: String,
    /// `MaxSubmitJobs` (None: no limit). sacctmgr shows a limit inherited from the
    /// account on the user's row, so the user's rows are enough.
    pub max_submit: Option<u64>,
    /// `GrpSubmitJobs`: all jobs of this association, i.e. of this user in this account.
    pub grp_submit: Option<u64>,
    /// `DefaultQOS`, if set.
    pub default_qos: Option<String>,
    /// The QOS the association may use.
    pub qos: Vec<String>,
}

impl Assoc {
    /// The QOS a job of this association gets when it asks for none: the
    /// association's DefaultQOS; else, as slurmctld does, its only QOS; else `normal`.
    pub fn job_qos(&self) -> &str {
        match (&self.default_qos, self.qos.as_slice()) {
            (Some(q), _) => q,
            (None, [only]) => only,
            _ => "normal",
        }
    }
}

/// One QOS: a row of `sacctmgr -n -P show qos format=Name,MaxSubmitPU,MaxSubmitPA,GrpSubmit`.
///
/// (A QOS's `MaxSubmit` column is the per-user limit again: captured `lim4|4|6|8|4`
/// for `Name,MaxSubmitPU,MaxSubmitPA,GrpSubmit,MaxSubmit`.)
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Qos {
    /// Name.
    pub name: String,
    /// `MaxSubmitJobsPerUser`.
    pub max_submit_per_user: Option<u64>,
    /// `MaxSubmitJobsPerAccount`: the account's jobs, so at least the user's own.
    pub max_submit_per_account: Option<u64>,
    /// `GrpSubmitJobs`: every job in this QOS, so at least the user's own.
    pub grp_submit: Option<u64>,
}

const ASSOC_FORMAT: &str = "format=Account,Partition,MaxSubmit,GrpSubmit,DefaultQOS,QOS";
const QOS_FORMAT: &str = "format=Name,MaxSubmitPU,MaxSubmitPA,GrpSubmit";

/// The job states that count against a submit limit: every state of a job that is not
/// finished (squeue's list of valid states, less the final ones).
const LIVE_STATES: &str = "PENDING,RUNNING,SUSPENDED,CONFIGURING,COMPLETING,RESIZING,\
REQUEUED,REQUEUE_FED,REQUEUE_HOLD,RESV_DEL_HOLD,SIGNALING,SPECIAL_EXIT,STAGE_OUT,STOPPED";

/// The smallest of: the user's association MaxSubmitJobs / GrpSubmitJobs (sacctmgr),
/// MaxSubmitJobsPerUser / MaxSubmitJobsPerAccount / GrpSubmitJobs of the QOS the user's
/// jobs get (see [`Assoc::job_qos`]), and the cluster's MaxJobCount
/// (`scontrol show config`). Without accounting (sacctmgr fails or answers nothing),
/// only MaxJobCount, and the source says why. `qos`: a QOS the sweep asks for
/// (`--qos=X` in its extra args), used instead of the default.
pub fn submit_limit(user: &str, qos: Option<&str>) -> Result<SubmitLimit, Error> {
    let out = run("scontrol", &["show", "config"], None)?;
    if out.code != Some(0) {
        return Err(Error::failed(format!(
            "scontrol show config failed: {}",
            out.stderr.trim()
        )));
    }
    let max_job_count = parse_limits(&out.stdout).max_job_count;
    let user_arg = format!("user={user}");
    let accounting = sacctmgr(&["show", "assoc", "where", &user_arg, ASSOC_FORMAT])
        .map(|text| parse_assoc(&text))
        .and_then(|assocs| {
            if assocs.is_empty() {
                return Ok((assocs, Vec::new()));
            }
            let qos = sacctmgr(&["show", "qos", QOS_FORMAT])?;
            Ok((assocs, parse_qos(&qos)))
        });
    Ok(match accounting {
        Ok((assocs, qoses)) => smallest_limit(max_job_count, &assocs, &qoses, qos),
        Err(why) => {
            let mut l = smallest_limit(max_job_count, &[], &[], None);
            l.source = format!("{} (no accounting limits: {why})", l.source);
            l
        }
    })
}

/// `sacctmgr -n -P ARGS`'s output, or why there is none (the first line of its error).
fn sacctmgr(args: &[&str]) -> Result<String, String> {
    let mut argv = vec!["-n", "-P"];
    argv.extend_from_slice(args);
    match run("sacctmgr", &argv, None) {
        Ok(Output {
            code: Some(0),
            stdout,
            ..
        }) => Ok(stdout),
        Ok(o) => Err(format!(
            "sacctmgr: {}",
            o.stderr.lines().next().unwrap_or("failed").trim()
        )),
        Err(e) => Err(e.to_string()),
    }
}

/// The submit limit from MaxJobCount, the user's associations and the QOS table.
///
/// A user with several associations (one per account or partition) gets the smallest
/// limit of them all: herd cannot tell which account a job will be charged to (the
/// user's default account, or one named in the extra args), so it stays under each.
/// Likewise each association's QOS counts. `qos` overrides every association's default.
pub fn smallest_limit(
    max_job_count: u64,
    assocs: &[Assoc],
    qoses: &[Qos],
    qos: Option<&str>,
) -> SubmitLimit {
    let mut best = SubmitLimit {
        max: max_job_count,
        source: format!("MaxJobCount={max_job_count}"),
    };
    let mut consider = |max: Option<u64>, source: &dyn Fn(u64) -> String| {
        if let Some(m) = max.filter(|&m| m < best.max) {
            best = SubmitLimit {
                max: m,
                source: source(m),
            };
        }
    };
    let mut names: Vec<&str> = Vec::new();
    for a in assocs {
        let at = if a.partition.is_empty() {
            format!("account {}", a.account)
        } else {
            format!("account {}, partition {}", a.account, a.partition)
        };
        consider(a.max_submit, &|m| {
            format!("association MaxSubmitJobs={m} ({at})")
        });
        consider(a.grp_submit, &|m| {
            format!("association GrpSubmitJobs={m} ({at})")
        });
        let name = qos.unwrap_or_else(|| a.job_qos());
        if !names.contains(&name) {
            names.push(name);
        }
    }
    for q in qoses.iter().filter(|q| names.contains(&q.name.as_str())) {
        let n = &q.name;
        consider(q.max_submit_per_user, &|m| {
            format!("QOS {n} MaxSubmitJobsPerUser={m}")
        });
        consider(q.max_submit_per_account, &|m| {
            format!("QOS {n} MaxSubmitJobsPerAccount={m}")
        });
        consider(q.grp_submit, &|m| format!("QOS {n} GrpSubmitJobs={m}"));
    }
    best
}

/// A limit field of sacctmgr's parsable output: empty (or unreadable) is no limit.
fn limit_field(s: &str) -> Option<u64> {
    s.trim().parse().ok()
}

/// Parse `sacctmgr -n -P show assoc where user=U format=Account,Partition,MaxSubmit,GrpSubmit,DefaultQOS,QOS`.
/// Lines with another number of fields (a notice) are skipped.
pub fn parse_assoc(text: &str) -> Vec<Assoc> {
    text.lines()
        .filter_map(|line| {
            let f: Vec<&str> = line.split('|').collect();
            let [account, partition, max, grp, default_qos, qos] = f.as_slice() else {
                return None;
            };
            Some(Assoc {
                account: account.trim().to_string(),
                partition: partition.trim().to_string(),
                max_submit: limit_field(max),
                grp_submit: limit_field(grp),
                default_qos: Some(default_qos.trim())
                    .filter(|q| !q.is_empty())
                    .map(str::to_string),
                qos: qos
                    .split(',')
                    .map(str::trim)
                    .filter(|q| !q.is_empty())
                    .map(str::to_string)
                    .collect(),
            })
        })
        .collect()
}

/// Parse `sacctmgr -n -P show qos format=Name,MaxSubmitPU,MaxSubmitPA,GrpSubmit`.
pub fn parse_qos(text: &str) -> Vec<Qos> {
    text.lines()
        .filter_map(|line| {
            let f: Vec<&str> = line.split('|').collect();
            let [name, pu, pa, grp] = f.as_slice() else {
                return None;
            };
            Some(Qos {
                name: name.trim().to_string(),
                max_submit_per_user: limit_field(pu),
                max_submit_per_account: limit_field(pa),
                grp_submit: limit_field(grp),
            })
        })
        .filter(|q| !q.name.is_empty())
        .collect()
}

/// How many of `user`'s jobs are queued or running now, array tasks counted one each
/// (pending array ranges expanded by `squeue -r`).
pub fn queued_jobs(user: &str) -> Result<u64, Error> {
    let out = run(
        "squeue",
        &["-h", "-r", "-u", user, "-t", LIVE_STATES, "-o", "%i"],
        None,
    )?;
    // squeue exits 0 for an unknown user, saying so on stderr only.
    if out.code != Some(0) || (out.stdout.trim().is_empty() && out.stderr.contains("error")) {
        return Err(Error::failed(format!(
            "squeue failed: {}",
            out.stderr.trim()
        )));
    }
    Ok(count_jobs(&out.stdout))
}

/// Count the job ids `squeue -r -o %i` prints, one a line. A range line
/// (`646_[1-2%1]`, as squeue prints a pending array without `-r`) counts its tasks.
pub fn count_jobs(text: &str) -> u64 {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|l| {
            l.split_once("_[")
                .and_then(|(_, r)| r.strip_suffix(']'))
                .and_then(count_range)
                .unwrap_or(1)
        })
        .sum()
}

/// Tasks in an array range such as `1-5,7,9-11:2%4`; None when unreadable.
fn count_range(spec: &str) -> Option<u64> {
    let spec = spec.split('%').next()?;
    spec.split(',')
        .map(|part| {
            let (range, step) = match part.split_once(':') {
                Some((r, s)) => (r, s.parse::<u64>().ok().filter(|&s| s > 0)?),
                None => (part, 1),
            };
            let (lo, hi) = match range.split_once('-') {
                Some((a, b)) => (a.parse::<u64>().ok()?, b.parse::<u64>().ok()?),
                None => {
                    let n = range.parse::<u64>().ok()?;
                    (n, n)
                }
            };
            (lo <= hi).then(|| (hi - lo) / step + 1)
        })
        .sum()
}

/// Read `partition`'s caps for escalating a trial's resources from `scontrol show
/// partition -o NAME` (`MaxTime`; None for UNLIMITED) and the memory cap: its
/// `MaxMemPerNode` if set, else the largest RealMemory of its nodes from
/// `sinfo -h -N -p NAME -o %m` (one line per node); None when neither is known.
pub fn partition_caps(partition: &str) -> Result<Caps, Error> {
    let out = run("scontrol", &["show", "partition", "-o", partition], None)?;
    if out.code != Some(0) {
        // scontrol says "Partition X not found" on stdout.
        let why = [&out.stderr, &out.stdout].map(|s| s.trim()).join(" ");
        return Err(Error::failed(format!(
            "scontrol show partition {partition} failed: {}",
            why.trim()
        ))
        .hint("check the partition name in hyperherd.yaml against 'sinfo -s'"));
    }
    let p = parse_partition(&out.stdout).map_err(|why| {
        Error::failed(format!(
            "reading scontrol show partition {partition}: {why}"
        ))
    })?;
    let mem_mb = match p.max_mem_per_node_mb {
        Some(mb) => Some(mb),
        None => {
            let out = run("sinfo", &["-h", "-N", "-p", partition, "-o", "%m"], None)?;
            if out.code != Some(0) {
                return Err(Error::failed(format!(
                    "sinfo -p {partition} failed: {}",
                    out.stderr.trim()
                )));
            }
            parse_sinfo_mem(&out.stdout)
        }
    };
    Ok(Caps {
        max_time_seconds: p.max_time_seconds,
        max_mem_bytes: mem_mb.map(|mb| mb.saturating_mul(1 << 20)),
    })
}

/// What `scontrol show partition -o` says of the caps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PartitionLine {
    /// `MaxTime` in seconds; None for UNLIMITED.
    pub max_time_seconds: Option<u64>,
    /// `MaxMemPerNode` in MB; None for UNLIMITED or absent (a partition with
    /// `MaxMemPerCPU` shows that instead: a per-CPU cap, not a node's).
    pub max_mem_per_node_mb: Option<u64>,
}

/// Parse one partition's `scontrol show partition -o NAME` line (`Key=Value` words).
pub fn parse_partition(text: &str) -> Result<PartitionLine, String> {
    let line = text
        .lines()
        .find(|l| l.trim_start().starts_with("PartitionName="))
        .ok_or_else(|| format!("no PartitionName= line in {:?}", text.trim()))?;
    let get = |key: &str| {
        line.split_whitespace()
            .filter_map(|w| w.split_once('='))
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v)
    };
    let max_time_seconds = match get("MaxTime") {
        None => None,
        Some(v) => scontrol_time(v).ok_or_else(|| format!("unreadable MaxTime={v}"))?,
    };
    let max_mem_per_node_mb = match get("MaxMemPerNode") {
        None | Some("UNLIMITED") => None,
        Some(v) => Some(
            v.parse::<u64>()
                .map_err(|_| format!("unreadable MaxMemPerNode={v}"))?,
        ),
    };
    Ok(PartitionLine {
        max_time_seconds,
        max_mem_per_node_mb,
    })
}

/// A time as scontrol prints it, `[D-]HH:MM:SS` (or `MM:SS`), in seconds; `Some(None)`
/// for UNLIMITED/INFINITE; None when unreadable.
fn scontrol_time(s: &str) -> Option<Option<u64>> {
    if s.eq_ignore_ascii_case("UNLIMITED") || s.eq_ignore_ascii_case("INFINITE") {
        return Some(None);
    }
    let (days, rest) = match s.split_once('-') {
        Some((d, r)) => (d.parse::<u64>().ok()?, r),
        None => (0, s),
    };
    let parts = rest
        .split(':')
        .map(|p| p.parse::<u64>().ok())
        .collect::<Option<Vec<u64>>>()?;
    let secs = match parts.as_slice() {
        [m, s] => m * 60 + s,
        [h, m, s] => h * 3600 + m * 60 + s,
        _ => return None,
    };
    Some(Some(days * 86400 + secs))
}

/// The largest node memory (MB) in `sinfo -h -o %m` output, one value a line; a
/// grouped line such as `1000+` (the smallest of differing nodes) counts as its number.
pub fn parse_sinfo_mem(text: &str) -> Option<u64> {
    text.lines()
        .filter_map(|l| l.trim().trim_end_matches('+').parse::<u64>().ok())
        .max()
}

/// The current user name for these calls: `$USER`, else `id -un`, else empty (then
/// squeue and sacctmgr answer for nobody, and their errors say so).
pub fn current_user() -> String {
    if let Some(u) = std::env::var("USER").ok().filter(|u| !u.trim().is_empty()) {
        return u.trim().to_string();
    }
    match run("id", &["-un"], None) {
        Ok(Output {
            code: Some(0),
            stdout,
            ..
        }) => stdout.trim().to_string(),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // All text below was captured from SLURM 22.05.8 on the test cluster
    // (shared/slurm/up --limits), with the QOS and limits set as each test says.

    /// `sacctmgr -i add qos lim4 MaxSubmitJobsPerUser=4`,
    /// `sacctmgr -i modify user root set qos+=lim4 defaultqos=lim4`; root has two
    /// associations (accounts harness and root).
    const ASSOC_LIM4: &str = "harness||||lim4|lim4,normal\nroot||||lim4|lim4,normal\n";
    /// After the undo (`sacctmgr -i modify user root set qos=normal
    /// defaultqos=normal`, `sacctmgr -i delete qos lim4`).
    const ASSOC_DEFAULT: &str = "harness||||normal|normal\nroot||||normal|normal\n";
    const QOS_LIM4: &str = "normal|||\nlim4|4||\n";

    #[test]
    fn a_default_qos_per_user_limit_wins_over_max_job_count() {
        let assocs = parse_assoc(ASSOC_LIM4);
        assert_eq!(
            assocs[0],
            Assoc {
                account: "harness".into(),
                partition: String::new(),
                max_submit: None,
                grp_submit: None,
                default_qos: Some("lim4".into()),
                qos: vec!["lim4".into(), "normal".into()],
            }
        );
        let qoses = parse_qos(QOS_LIM4);
        assert_eq!(qoses.len(), 2);
        let l = smallest_limit(100000, &assocs, &qoses, None);
        assert_eq!(
            l,
            SubmitLimit {
                max: 4,
                source: "QOS lim4 MaxSubmitJobsPerUser=4".into()
            }
        );
        // --qos=normal in the extra args: that QOS has no limit.
        let l = smallest_limit(100000, &assocs, &qoses, Some("normal"));
        assert_eq!((l.max, l.source.as_str()), (100000, "MaxJobCount=100000"));
    }

    #[test]
    fn the_smallest_of_several_associations_and_qos_limits() {
        // Plus `sacctmgr -i modify qos lim4 set MaxSubmitJobsPerAccount=6
        // GrpSubmitJobs=8` and `modify user root where account=harness set
        // MaxSubmitJobs=10`; the root account's row has no limit.
        let assoc = "harness||10||lim4|lim4,normal\nroot||||lim4|lim4,normal\n";
        let qos = "normal|||\nlim4|4|6|8\n";
        let assocs = parse_assoc(assoc);
        assert_eq!(assocs[0].max_submit, Some(10));
        assert_eq!(assocs[1].max_submit, None);
        let qoses = parse_qos(qos);
        assert_eq!(
            qoses[1],
            Qos {
                name: "lim4".into(),
                max_submit_per_user: Some(4),
                max_submit_per_account: Some(6),
                grp_submit: Some(8),
            }
        );
        let l = smallest_limit(100000, &assocs, &qoses, None);
        assert_eq!(l.max, 4);
        // Without the QOS's limits the association's is the smallest.
        let l = smallest_limit(100000, &assocs, &qoses, Some("normal"));
        assert_eq!(
            l.source,
            "association MaxSubmitJobs=10 (account harness)".to_string()
        );
        // A MaxJobCount below every other limit is the limit.
        let l = smallest_limit(3, &assocs, &qoses, None);
        assert_eq!((l.max, l.source.as_str()), (3, "MaxJobCount=3"));
    }

    #[test]
    fn an_account_limit_shows_on_the_users_row_and_no_default_qos_means_normal() {
        // With lim4, `sacctmgr -i modify account harness set MaxSubmitJobs=20` (the
        // user's own limit unset): sacctmgr shows the inherited 20 on the user's row.
        let assocs = parse_assoc("harness||20||lim4|lim4,normal\nroot||||lim4|lim4,normal\n");
        assert_eq!(assocs[0].max_submit, Some(20));
        let l = smallest_limit(100000, &assocs, &parse_qos(QOS_LIM4), Some("normal"));
        assert_eq!(l.source, "association MaxSubmitJobs=20 (account harness)");
        // Default configuration (no lim4): DefaultQOS empty, QOS `normal`.
        let assocs = parse_assoc(ASSOC_DEFAULT);
        assert_eq!(assocs.len(), 2);
        assert_eq!(assocs[0].job_qos(), "normal");
        let l = smallest_limit(100000, &assocs, &parse_qos("normal|||\n"), None);
        assert_eq!(l.source, "MaxJobCount=100000");
        // Before any change DefaultQOS was empty (captured as `root|||normal` with
        // format=User,MaxSubmit,DefaultQOS,QOS): the only QOS is the job's.
        let a = parse_assoc("harness|||||normal\n");
        assert_eq!(
            (a[0].default_qos.as_deref(), a[0].job_qos()),
            (None, "normal")
        );
        // Several QOS and no default: slurmctld gives `normal`.
        let a = parse_assoc("harness||||||lim4,normal\n");
        assert!(a.is_empty(), "a line with another field count is skipped");
        let a = parse_assoc("harness|gpu||||lim4,normal\n");
        assert_eq!(a[0].job_qos(), "normal");
        assert_eq!(a[0].partition, "gpu");
        let a = parse_assoc("harness||||| lim4\n");
        assert_eq!(a[0].job_qos(), "lim4");
    }

    #[test]
    fn without_accounting_only_max_job_count() {
        // `up --no-accounting`: sacctmgr exits 1 saying "You are not running a
        // supported accounting_storage plugin"; an empty answer is the same.
        assert!(parse_assoc("").is_empty());
        let l = smallest_limit(100000, &[], &[], Some("lim4"));
        assert_eq!((l.max, l.source.as_str()), (100000, "MaxJobCount=100000"));
    }

    #[test]
    fn queued_jobs_count_tasks() {
        // `sbatch --array=0-2%1 --wrap 'sleep 30'` and one plain job, then
        // `squeue -h -r -u root -t <LIVE_STATES> -o %i`.
        assert_eq!(count_jobs("646_1\n646_2\n648\n646_0\n"), 4);
        // The same array without -r, before job 648.
        assert_eq!(count_jobs("646_[1-2%1]\n646_0\n"), 3);
        assert_eq!(count_jobs(""), 0);
        assert_eq!(count_jobs("7_[1-5,7,10-20:5%2]\n"), 5 + 1 + 3);
        assert_eq!(count_jobs("7_[x]\n"), 1);
    }

    const PART_DEFAULT: &str = "PartitionName=debug AllowGroups=ALL AllowAccounts=ALL AllowQos=ALL AllocNodes=ALL Default=YES QoS=N/A DefaultTime=NONE DisableRootJobs=NO ExclusiveUser=NO GraceTime=0 Hidden=NO MaxNodes=UNLIMITED MaxTime=UNLIMITED MinNodes=0 LLN=NO MaxCPUsPerNode=UNLIMITED Nodes=vm PriorityJobFactor=1 PriorityTier=1 RootOnly=NO ReqResv=NO OverSubscribe=NO OverTimeLimit=NONE PreemptMode=OFF State=UP TotalCPUs=2 TotalNodes=1 SelectTypeParameters=NONE JobDefaults=(null) DefMemPerNode=UNLIMITED MaxMemPerNode=UNLIMITED TRES=cpu=2,mem=24105M,node=1,billing=2\n";

    #[test]
    fn partition_caps_from_scontrol() {
        assert_eq!(
            parse_partition(PART_DEFAULT),
            Ok(PartitionLine {
                max_time_seconds: None,
                max_mem_per_node_mb: None
            })
        );
        // After `scontrol update PartitionName=debug MaxTime=1-12:30:00 MaxMemPerNode=16000`.
        let set = PART_DEFAULT
            .replace("MaxTime=UNLIMITED", "MaxTime=1-12:30:00")
            .replace("MaxMemPerNode=UNLIMITED", "MaxMemPerNode=16000");
        assert_eq!(
            parse_partition(&set),
            Ok(PartitionLine {
                max_time_seconds: Some(86400 + 12 * 3600 + 30 * 60),
                max_mem_per_node_mb: Some(16000)
            })
        );
        // After `scontrol update PartitionName=debug MaxTime=90 MaxMemPerCPU=2000`:
        // minutes come back as HH:MM:SS, and MaxMemPerCPU replaces MaxMemPerNode.
        let per_cpu = PART_DEFAULT
            .replace("MaxTime=UNLIMITED", "MaxTime=01:30:00")
            .replace("MaxMemPerNode=UNLIMITED", "MaxMemPerCPU=2000");
        assert_eq!(
            parse_partition(&per_cpu),
            Ok(PartitionLine {
                max_time_seconds: Some(5400),
                max_mem_per_node_mb: None
            })
        );
        // `scontrol show partition -o nosuch` exits 1 with this on stdout.
        assert!(parse_partition("Partition nosuch not found\n").is_err());
        assert!(parse_partition("PartitionName=x MaxTime=soon\n").is_err());
        assert_eq!(scontrol_time("30:00"), Some(Some(1800)));
        assert_eq!(scontrol_time("INFINITE"), Some(None));
    }

    #[test]
    fn node_memory_from_sinfo() {
        // `sinfo -h -N -p debug -o %m`.
        assert_eq!(parse_sinfo_mem("24105\n"), Some(24105));
        // Several nodes, and a grouped line of differing nodes (without -N).
        assert_eq!(parse_sinfo_mem("1000+\n64000\n2000\n"), Some(64000));
        // `sinfo -h -N -p nosuch -o %m` prints nothing, exit 0.
        assert_eq!(parse_sinfo_mem(""), None);
    }
}
