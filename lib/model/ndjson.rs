//! Writing trial records as NDJSON lines, fast.
//!
//! The text is exactly serde_json's compact form of [`TrialRecord`] (a unit test holds
//! the two together), written without serde's per-field machinery and with strings
//! scanned eight bytes at a time: `herd-status` and `herd-expand` print tens of
//! thousands of records, and escaping them byte by byte was a fifth of a sync.

use crate::error::Error;
use crate::model::record::{Status, TrialRecord};
use crate::text::value::{Assoc, Value};
use std::io::Write;

use crate::text::swar::{needs_json_escape, plain_prefix};

/// A JSON string as serde_json writes it: `"` `\` and control characters escaped
/// (`\b \f \n \r \t`, others `\u00xx`), everything else verbatim.
pub fn write_str(out: &mut Vec<u8>, s: &str) {
    let bytes = s.as_bytes();
    out.reserve(bytes.len() + 2);
    out.push(b'"');
    let mut rest = bytes;
    loop {
        let n = plain_prefix(rest, needs_json_escape, |b| {
            b >= 0x20 && b != b'"' && b != b'\\'
        });
        out.extend_from_slice(&rest[..n]);
        let Some(&b) = rest.get(n) else { break };
        match b {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            0x08 => out.extend_from_slice(b"\\b"),
            0x0c => out.extend_from_slice(b"\\f"),
            _ => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                out.extend_from_slice(b"\\u00");
                out.push(HEX[usize::from(b >> 4)]);
                out.push(HEX[usize::from(b & 15)]);
            }
        }
        rest = &rest[n + 1..];
    }
    out.push(b'"');
}

/// A `u64` in decimal.
pub fn write_u64(out: &mut Vec<u8>, mut n: u64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&buf[i..]);
}

/// An `i64` in decimal.
pub fn write_i64(out: &mut Vec<u8>, n: i64) {
    if n < 0 {
        out.push(b'-');
    }
    write_u64(out, n.unsigned_abs());
}

/// A value as serde_json writes it (floats through serde_json itself, so their text
/// is identical: shortest round-trip, non-finite as `null`).
pub fn write_value(out: &mut Vec<u8>, v: &Value) {
    match v {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(true) => out.extend_from_slice(b"true"),
        Value::Bool(false) => out.extend_from_slice(b"false"),
        Value::Int(i) => write_i64(out, *i),
        Value::BigInt(s) => out.extend_from_slice(s.as_bytes()),
        Value::Float(f) => {
            // Writing to a Vec cannot fail.
            let _ = serde_json::to_writer(&mut *out, f);
        }
        Value::Str(s) => write_str(out, s),
        Value::List(items) => {
            out.push(b'[');
            for (k, it) in items.iter().enumerate() {
                if k > 0 {
                    out.push(b',');
                }
                write_value(out, it);
            }
            out.push(b']');
        }
        Value::Map(m) => write_map(out, m),
    }
}

fn write_map(out: &mut Vec<u8>, m: &Assoc) {
    out.push(b'{');
    for (k, (key, v)) in m.0.iter().enumerate() {
        if k > 0 {
            out.push(b',');
        }
        write_str(out, key);
        out.push(b':');
        write_value(out, v);
    }
    out.push(b'}');
}

/// A string or `null`.
pub fn write_opt_str(out: &mut Vec<u8>, s: Option<&str>) {
    match s {
        Some(s) => write_str(out, s),
        None => out.extend_from_slice(b"null"),
    }
}

/// A `u64` or `null`.
pub fn write_opt_u64(out: &mut Vec<u8>, n: Option<u64>) {
    match n {
        Some(n) => write_u64(out, n),
        None => out.extend_from_slice(b"null"),
    }
}

/// An `i64` or `null`.
pub fn write_opt_i64(out: &mut Vec<u8>, n: Option<i64>) {
    match n {
        Some(n) => write_i64(out, n),
        None => out.extend_from_slice(b"null"),
    }
}

/// The fields every record has, up to `status`: what a plan knows of a trial.
pub struct Head<'a> {
    /// `sweep`.
    pub sweep: &'a str,
    /// `workspace`.
    pub workspace: &'a str,
    /// `index`.
    pub index: u64,
    /// `hash`.
    pub hash: &'a str,
    /// `experiment_name`.
    pub experiment_name: Option<&'a str>,
    /// `params`.
    pub params: Entries<'a>,
    /// `extras`.
    pub extras: &'a Assoc,
    /// `overrides`.
    pub overrides: &'a str,
    /// `status`.
    pub status: &'a Status,
}

/// The entries of a record's `params` object.
pub enum Entries<'a> {
    /// From a mapping.
    Map(&'a Assoc),
    /// Already written, each `"name":value` (see [`crate::ops::fragments`]).
    Written(&'a [&'a [u8]]),
}

fn write_head(out: &mut Vec<u8>, h: &Head<'_>) {
    out.extend_from_slice(b"{\"sweep\":");
    write_str(out, h.sweep);
    out.extend_from_slice(b",\"workspace\":");
    write_str(out, h.workspace);
    out.extend_from_slice(b",\"index\":");
    write_u64(out, h.index);
    out.extend_from_slice(b",\"hash\":");
    write_str(out, h.hash);
    out.extend_from_slice(b",\"experiment_name\":");
    write_opt_str(out, h.experiment_name);
    out.extend_from_slice(b",\"params\":");
    match h.params {
        Entries::Map(m) => write_map(out, m),
        Entries::Written(entries) => {
            out.push(b'{');
            for (k, e) in entries.iter().enumerate() {
                if k > 0 {
                    out.push(b',');
                }
                out.extend_from_slice(e);
            }
            out.push(b'}');
        }
    }
    out.extend_from_slice(b",\"extras\":");
    write_map(out, h.extras);
    out.extend_from_slice(b",\"overrides\":");
    write_str(out, h.overrides);
    out.extend_from_slice(b",\"status\":");
    write_str(out, h.status.as_str());
}

/// The rest of a record that nothing has been learned about yet (no submission, no
/// sync, no metrics): what `herd-expand` prints.
const BLANK_TAIL: &[u8] = b",\"slurm_job_id\":null,\"slurm_state\":null,\"reason\":null,\"exit_code\":null,\"elapsed_seconds\":null,\"max_rss_bytes\":null,\"req_mem_bytes\":null,\"last_log_line\":null,\"step\":null,\"steps_per_min\":null,\"metrics\":null}";

/// A planned trial's record and a newline: [`write_record`] of the [`TrialRecord`]
/// the plan would make, without making it.
pub fn write_planned_line(out: &mut Vec<u8>, h: &Head<'_>) {
    write_head(out, h);
    out.extend_from_slice(BLANK_TAIL);
    out.push(b'\n');
}

impl<'a> Head<'a> {
    /// The head fields of a full record.
    pub fn of(r: &'a TrialRecord) -> Head<'a> {
        Head {
            sweep: &r.sweep,
            workspace: &r.workspace,
            index: r.index,
            hash: &r.hash,
            experiment_name: r.experiment_name.as_deref(),
            params: Entries::Map(&r.params),
            extras: &r.extras,
            overrides: &r.overrides,
            status: &r.status,
        }
    }
}

/// One record as a JSON object (no newline), fields in [`TrialRecord`]'s order.
pub fn write_record(out: &mut Vec<u8>, r: &TrialRecord) {
    write_head(out, &Head::of(r));
    out.extend_from_slice(b",\"slurm_job_id\":");
    write_opt_str(out, r.slurm_job_id.as_deref());
    out.extend_from_slice(b",\"slurm_state\":");
    write_opt_str(out, r.slurm_state.as_deref());
    out.extend_from_slice(b",\"reason\":");
    write_opt_str(out, r.reason.as_deref());
    out.extend_from_slice(b",\"exit_code\":");
    write_opt_i64(out, r.exit_code);
    out.extend_from_slice(b",\"elapsed_seconds\":");
    write_opt_u64(out, r.elapsed_seconds);
    out.extend_from_slice(b",\"max_rss_bytes\":");
    write_opt_u64(out, r.max_rss_bytes);
    out.extend_from_slice(b",\"req_mem_bytes\":");
    write_opt_u64(out, r.req_mem_bytes);
    out.extend_from_slice(b",\"last_log_line\":");
    write_opt_str(out, r.last_log_line.as_deref());
    out.extend_from_slice(b",\"step\":");
    write_opt_i64(out, r.step);
    out.extend_from_slice(b",\"steps_per_min\":");
    match r.steps_per_min {
        // Through serde_json, as floats in values are: the same text, non-finite as null.
        Some(f) => write_value(out, &Value::Float(f)),
        None => out.extend_from_slice(b"null"),
    }
    out.extend_from_slice(b",\"metrics\":");
    match &r.metrics {
        Some(m) => write_map(out, m),
        None => out.extend_from_slice(b"null"),
    }
    if let Some(p) = &r.previous_status {
        out.extend_from_slice(b",\"previous_status\":");
        write_str(out, p.as_str());
    }
    if let Some(attempts) = &r.attempts {
        out.extend_from_slice(b",\"attempts\":[");
        for (k, a) in attempts.iter().enumerate() {
            if k > 0 {
                out.push(b',');
            }
            out.extend_from_slice(b"{\"slurm_job_id\":");
            write_str(out, &a.slurm_job_id);
            out.extend_from_slice(b",\"mem\":");
            write_str(out, &a.mem);
            out.extend_from_slice(b",\"time\":");
            write_str(out, &a.time);
            out.extend_from_slice(b",\"slurm_state\":");
            write_opt_str(out, a.slurm_state.as_deref());
            out.push(b'}');
        }
        out.push(b']');
    }
    out.push(b'}');
}

/// Writes records as NDJSON lines through one reused buffer.
#[derive(Default)]
pub struct Lines {
    buf: Vec<u8>,
}

impl Lines {
    /// Write `r` and a newline to `w`.
    pub fn write(&mut self, w: &mut impl Write, r: &TrialRecord) -> Result<(), Error> {
        self.buf.clear();
        write_record(&mut self.buf, r);
        self.buf.push(b'\n');
        w.write_all(&self.buf)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::record::Status;
    use crate::testrng::XorShift;
    use crate::text::swar::outside_printable_ascii;

    fn record(strings: &[&str], floats: &[f64]) -> TrialRecord {
        let s = |k: usize| strings[k % strings.len()].to_string();
        TrialRecord {
            sweep: s(0),
            workspace: s(1),
            index: 17,
            hash: s(2),
            experiment_name: Some(s(3)),
            params: Assoc(vec![
                (s(4), Value::Float(floats[0])),
                (s(5), Value::Str(s(6))),
                ("n".into(), Value::Int(-3)),
                ("b".into(), Value::Bool(true)),
                (
                    "l".into(),
                    Value::List(vec![Value::Null, Value::Float(floats[1 % floats.len()])]),
                ),
            ]),
            extras: Assoc(vec![(
                "m".into(),
                Value::Map(Assoc(vec![(s(7), Value::Int(i64::MIN))])),
            )]),
            overrides: s(8),
            status: Status::Other(s(9)),
            slurm_job_id: Some("12_3".into()),
            slurm_state: None,
            reason: Some(s(10)),
            exit_code: Some(-1),
            elapsed_seconds: Some(u64::MAX),
            max_rss_bytes: None,
            req_mem_bytes: Some(0),
            last_log_line: Some(s(11)),
            step: Some(-12),
            steps_per_min: Some(floats[0]),
            metrics: Some(Assoc(vec![("x".into(), Value::Float(f64::NAN))])),
            previous_status: Some(Status::Running),
            attempts: Some(vec![
                crate::model::record::Attempt {
                    slurm_job_id: s(12),
                    mem: "100M".into(),
                    time: s(13),
                    slurm_state: Some(s(14)),
                },
                crate::model::record::Attempt {
                    slurm_job_id: "12_3".into(),
                    mem: s(15),
                    time: "00:02:00".into(),
                    slurm_state: None,
                },
            ]),
        }
    }

    #[test]
    fn records_are_byte_identical_to_serde_json() {
        let strings = [
            "plain",
            "",
            "q\"uote",
            "back\\slash",
            "ctl\u{1}\u{8}\u{c}\n\r\t\u{1f}\u{7f}",
            "ünïcødé 😀 and more than eight bytes",
            "exactly8",
            "a long line of plain text that spans several eight-byte blocks\"end",
            "\u{0}",
            "/scratch/sweeps/lr",
            "experiment_name=lr-0.1 lr=0.1",
            "ends with escape\\",
        ];
        let floats = [0.1, 1e-5, 1e22, -0.0, f64::INFINITY, 123456.789, 5e-324];
        let mut rng = XorShift(7);
        for round in 0..200 {
            let mut s: Vec<String> = strings.iter().map(|s| s.to_string()).collect();
            // Random strings mixing every class of byte.
            for x in s.iter_mut().skip(round % 5) {
                let n = rng.below(24);
                *x = (0..n)
                    .map(|_| match rng.below(6) {
                        0 => char::from(rng.below(0x20) as u8),
                        1 => '"',
                        2 => '\\',
                        3 => 'é',
                        _ => char::from(b'a' + rng.below(26) as u8),
                    })
                    .collect();
            }
            let refs: Vec<&str> = s.iter().map(String::as_str).collect();
            let mut r = record(&refs, &floats[round % floats.len()..]);
            if round % 2 == 0 {
                r.previous_status = None;
                r.metrics = None;
                r.experiment_name = None;
                r.step = None;
                r.steps_per_min = None;
            }
            let mut ours = Vec::new();
            write_record(&mut ours, &r);
            let theirs = serde_json::to_vec(&r).unwrap();
            assert_eq!(
                String::from_utf8_lossy(&ours),
                String::from_utf8_lossy(&theirs)
            );
        }
    }

    #[test]
    fn planned_lines_are_the_records_a_plan_would_make() {
        let r = record(
            &["sw\"eep", "/ws", "abc", "n-1", "lr", "opt", "adam"],
            &[0.5],
        );
        let mut blank = r.clone();
        (blank.slurm_job_id, blank.reason, blank.exit_code) = (None, None, None);
        (
            blank.elapsed_seconds,
            blank.req_mem_bytes,
            blank.last_log_line,
        ) = (None, None, None);
        (blank.step, blank.steps_per_min) = (None, None);
        (blank.metrics, blank.previous_status, blank.attempts) = (None, None, None);
        let mut ours = Vec::new();
        write_planned_line(&mut ours, &Head::of(&r));
        let mut theirs = serde_json::to_vec(&blank).unwrap();
        theirs.push(b'\n');
        assert_eq!(String::from_utf8(ours), String::from_utf8(theirs));
    }

    #[test]
    fn block_tests_find_every_special_byte_in_every_position() {
        for pos in 0..8 {
            for b in 0u8..=255 {
                let mut block = *b"abcdefgh";
                block[pos] = b;
                let x = u64::from_le_bytes(block);
                assert_eq!(
                    needs_json_escape(x),
                    b < 0x20 || b == b'"' || b == b'\\',
                    "byte {b:#x} at {pos}"
                );
                assert_eq!(
                    outside_printable_ascii(x),
                    !(0x20..=0x7e).contains(&b),
                    "byte {b:#x} at {pos}"
                );
            }
        }
    }
}
