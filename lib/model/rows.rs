//! Expansion of a `grid: all` sweep whose conditions force no parameter, row by row.
//!
//! Its trials are then rows of the product of the value lists (those no `exclude`
//! drops), so each condition can be decided from tables made once: a parameter
//! matcher or an `exclude` entry per value of one parameter, an expression per
//! combination of the values it reads (evaluation is pure). Each trial is made once,
//! with every condition applied and its name joined from per-value pieces, where the
//! general path builds every row, rebuilds the list once per condition, evaluates
//! each expression per trial and names each trial value by value. The two give the
//! same trials and the same errors; a test holds them to it.

use crate::config::{Condition, Config, SetValue, When};
use crate::expr::{truthy, Expr};
use crate::model::conditions::{
    check_set_result, eval_failure, matcher_matches, matches_value, places,
};
use crate::model::expand::{dedupe, NamedTrial, Trial};
use crate::model::naming::Namer;
use crate::text::value::{Assoc, Value};
use std::borrow::Cow;

/// The most value combinations an expression's results are kept for (beyond, it is
/// evaluated for each row). Tests keep fewer, so that both ways are exercised.
const MEMO_MAX: usize = if cfg!(test) { 64 } else { 1 << 16 };

/// A row of a `grid: all` product: the position of each parameter's value in its
/// list (parameters in declaration order).
pub(crate) type Row<'r> = &'r [usize];

/// The parameters of `row`, in declaration order, as the product builds them.
pub(crate) fn row_params(cfg: &Config, lists: &[Vec<Value>], row: Row) -> Assoc {
    let mut params = Vec::with_capacity(lists.len());
    for ((p, list), &i) in cfg.parameters.iter().zip(lists).zip(row) {
        params.push((p.name.clone(), list[i].clone()));
    }
    Assoc(params)
}

/// An expression over the rows of a product. Evaluation is pure and reads only the
/// names [`Expr::names`] lists, so its result is a function of those parameters'
/// value positions: it is computed once per combination of them and kept, as long as
/// there are at most [`MEMO_MAX`] combinations.
struct RowExpr<'c> {
    expr: &'c Expr,
    /// (axis, stride) of each parameter the expression reads.
    axes: Vec<(usize, usize)>,
    /// Results by combination (filled on first use), or `None`: evaluate every time.
    memo: Option<Vec<Option<Result<Value, String>>>>,
}

impl<'c> RowExpr<'c> {
    fn new(cfg: &Config, lists: &[Vec<Value>], expr: &'c Expr) -> RowExpr<'c> {
        let mut axes = Vec::new();
        let mut size: usize = 1;
        for name in expr.names() {
            // As in `env`: the first parameter with that expression name; a name
            // that is none (`min`, `max`) reads no parameter.
            if let Some(k) = cfg.parameters.iter().position(|p| p.expr_name() == name) {
                if !axes.iter().any(|&(a, _)| a == k) {
                    axes.push((k, size));
                    size = size.saturating_mul(lists[k].len());
                }
            }
        }
        let memo = (size <= MEMO_MAX).then(|| vec![None; size]);
        RowExpr { expr, axes, memo }
    }

    /// The expression's value at `row`, or its error message (unformatted).
    fn value(
        &mut self,
        cfg: &Config,
        lists: &[Vec<Value>],
        row: Row,
    ) -> Result<Cow<'_, Value>, String> {
        let eval = |expr: &Expr| {
            let env: Vec<(&str, &Value)> = cfg
                .parameters
                .iter()
                .zip(lists)
                .zip(row)
                .map(|((p, list), &i)| (p.expr_name(), &list[i]))
                .collect();
            expr.eval(&env)
        };
        let Some(memo) = &mut self.memo else {
            return eval(self.expr).map(Cow::Owned);
        };
        let key: usize = self.axes.iter().map(|&(k, stride)| row[k] * stride).sum();
        match memo[key].get_or_insert_with(|| eval(self.expr)) {
            Ok(v) => Ok(Cow::Borrowed(v)),
            Err(msg) => Err(msg.clone()),
        }
    }
}

/// One `when` entry over the rows of a product.
enum RowWhen<'c> {
    /// A parameter matcher: whether each value of that parameter matches.
    Axis(usize, Vec<bool>),
    /// A matcher of a parameter the trials do not have.
    Never,
    Expr(RowExpr<'c>),
}

/// One condition over the rows of a product.
struct RowCondition<'c> {
    cond: &'c Condition,
    at: String,
    when_at: String,
    set_at: Vec<String>,
    when: Vec<RowWhen<'c>>,
    /// Per `exclude` entry: its parameter, and whether each of its values is listed.
    exclude: Vec<(usize, Vec<bool>)>,
    set: Vec<RowSet<'c>>,
}

/// One `set` entry over the rows of a product.
enum RowSet<'c> {
    Literal(&'c Value),
    Expr(RowExpr<'c>),
}

/// Every condition of a config, compiled against the value lists of its `grid: all`
/// product, for a config whose conditions force no parameter: the trials are then
/// the product's rows (those no `exclude` drops), so what a parameter matcher or an
/// `exclude` entry decides is known per value of one parameter, and an expression's
/// result per combination of the values it reads. [`RowConditions::apply`] gives a
/// row the extras [`apply_condition`], applied condition by condition, would.
pub(crate) struct RowConditions<'c> {
    cfg: &'c Config,
    lists: &'c [Vec<Value>],
    conds: Vec<RowCondition<'c>>,
    /// How many keys the conditions' `set`s write, all told: room reserved in a
    /// row's extras at its first, so that they are allocated once.
    keys: usize,
}

impl<'c> RowConditions<'c> {
    /// The tables of `cfg`'s conditions over `lists` (its parameters' values, in
    /// declaration order). `None` when a condition forces a parameter.
    pub(crate) fn new(cfg: &'c Config, lists: &'c [Vec<Value>]) -> Option<RowConditions<'c>> {
        if cfg.conditions.iter().any(|c| !c.force.is_empty()) {
            return None;
        }
        // As `Assoc::get` finds it in a row: the first parameter of that name.
        let axis = |name: &str| cfg.parameters.iter().position(|p| p.name == name);
        let per_value = |k: usize, hit: &dyn Fn(&Value) -> bool| -> Vec<bool> {
            lists[k].iter().map(hit).collect()
        };
        let conds = cfg
            .conditions
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let (at, when_at, set_at) = places(i, c);
                let when = c
                    .when
                    .iter()
                    .map(|w| match w {
                        When::Expr(e) => RowWhen::Expr(RowExpr::new(cfg, lists, e)),
                        When::Param(name, m) => match axis(name) {
                            Some(k) => RowWhen::Axis(k, per_value(k, &|v| matcher_matches(v, m))),
                            None => RowWhen::Never,
                        },
                    })
                    .collect();
                let exclude = c
                    .exclude
                    .iter()
                    .filter_map(|(name, values)| {
                        let k = axis(name)?;
                        Some((
                            k,
                            per_value(k, &|v| values.iter().any(|o| matches_value(v, o))),
                        ))
                    })
                    .collect();
                let set = c
                    .set
                    .iter()
                    .map(|(_, sv)| match sv {
                        SetValue::Literal(v) => RowSet::Literal(v),
                        SetValue::Expr(e) => RowSet::Expr(RowExpr::new(cfg, lists, e)),
                    })
                    .collect();
                RowCondition {
                    cond: c,
                    at,
                    when_at,
                    set_at,
                    when,
                    exclude,
                    set,
                }
            })
            .collect();
        let mut keys: Vec<&str> = cfg
            .conditions
            .iter()
            .flat_map(|c| c.set.iter().map(|(k, _)| k.as_str()))
            .collect();
        keys.sort_unstable();
        keys.dedup();
        Some(RowConditions {
            cfg,
            lists,
            conds,
            keys: keys.len(),
        })
    }

    /// Apply the first `limit` conditions to `row`: its extras, `None` when a
    /// condition excludes it, or the failing condition's position and message.
    pub(crate) fn apply(
        &mut self,
        row: Row,
        limit: usize,
    ) -> Result<Option<Assoc>, (usize, String)> {
        let (cfg, lists) = (self.cfg, self.lists);
        let failure = |i: usize, e: &Expr, at: &str, msg: &str| {
            (i, eval_failure(e, &row_params(cfg, lists, row), at, msg))
        };
        let mut extras = Assoc::new();
        'conds: for (i, c) in self.conds.iter_mut().enumerate().take(limit) {
            for w in &mut c.when {
                let hit = match w {
                    RowWhen::Axis(k, table) => table[row[*k]],
                    RowWhen::Never => false,
                    RowWhen::Expr(x) => match x.value(cfg, lists, row) {
                        Ok(v) => truthy(&v),
                        Err(msg) => return Err(failure(i, x.expr, &c.when_at, &msg)),
                    },
                };
                if !hit {
                    continue 'conds;
                }
            }
            if c.exclude.iter().any(|(k, table)| table[row[*k]]) {
                return Ok(None);
            }
            for (((key, _), sv), set_at) in c.cond.set.iter().zip(&mut c.set).zip(&c.set_at) {
                let v = match sv {
                    RowSet::Literal(v) => (*v).clone(),
                    RowSet::Expr(x) => {
                        let e = x.expr;
                        let v = x
                            .value(cfg, lists, row)
                            .map_err(|msg| failure(i, e, set_at, &msg))?
                            .into_owned();
                        check_set_result(&c.at, key, e, &v).map_err(|m| (i, m))?;
                        v
                    }
                };
                if extras.0.capacity() == 0 {
                    extras.0.reserve_exact(self.keys);
                }
                extras.insert(key, v);
            }
        }
        Ok(Some(extras))
    }
}

/// The trials of a `grid: all` sweep whose conditions force nothing: the rows of the
/// product, in odometer order, each made once with every condition applied (from
/// `conds`' tables) and named from per-value pieces; then deduped if `dedupe_needed`.
///
/// Gives what [`combine`], [`apply_condition`] per condition, [`dedupe`] and
/// [`Namer::name`] give, errors included: those stop at the first trial that fails
/// the first condition that fails any, so a failure here only limits later rows to
/// the conditions before it, and the failure of the lowest condition, first row
/// among its, is reported.
pub(crate) fn expand_rows(
    cfg: &Config,
    namer: &Namer,
    lists: &[Vec<Value>],
    mut conds: RowConditions,
    dedupe_needed: bool,
) -> Result<Vec<NamedTrial>, String> {
    // `abbrev-token` of each value (a parameter's part of a name).
    let pieces: Vec<Vec<String>> = cfg
        .parameters
        .iter()
        .zip(lists)
        .enumerate()
        .map(|(k, (p, list))| {
            list.iter()
                .map(|v| format!("{}-{}", p.token(), namer.token(k, v)))
                .collect()
        })
        .collect();
    // At most MAX_TRIALS: `check_size` came first.
    let total: usize = lists.iter().map(Vec::len).product();
    let mut out = Vec::with_capacity(total);
    if total == 0 {
        return Ok(out);
    }
    let mut row = vec![0usize; lists.len()];
    let mut failed: Option<(usize, String)> = None;
    loop {
        let limit = failed.as_ref().map_or(cfg.conditions.len(), |f| f.0);
        match conds.apply(&row, limit) {
            Ok(Some(extras)) if failed.is_none() => {
                let len = pieces
                    .iter()
                    .zip(&row)
                    .fold(lists.len(), |n, (p, &i)| n + p[i].len());
                let mut name = String::with_capacity(len);
                for (k, (p, &i)) in pieces.iter().zip(&row).enumerate() {
                    if k > 0 {
                        name.push('_');
                    }
                    name.push_str(&p[i]);
                }
                out.push(NamedTrial {
                    trial: Trial {
                        params: row_params(cfg, lists, &row),
                        extras,
                    },
                    name,
                });
            }
            Ok(_) => {}
            Err(f) => failed = Some(f),
        }
        // Advance the odometer from the last axis.
        let mut k = row.len();
        loop {
            if k == 0 {
                return match failed {
                    Some((_, msg)) => Err(msg),
                    None if dedupe_needed => Ok(dedupe(out, |t| &t.trial.params)),
                    None => Ok(out),
                };
            }
            k -= 1;
            row[k] += 1;
            if row[k] < lists[k].len() {
                break;
            }
            row[k] = 0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::expand::{expand, general, values_of};
    use std::path::Path;

    const HEAD: &str = "name: t\ngrid: all\nlauncher: ./l.sh\nslurm: {partition: p}\n";

    /// The trials (or the message) both ways: rows and the general path, each deduped.
    fn both(
        yaml: &str,
    ) -> (
        Result<Vec<NamedTrial>, String>,
        Result<Vec<NamedTrial>, String>,
    ) {
        let text = format!("{HEAD}{yaml}");
        let cfg = crate::config::parse(&text, Path::new("/ws/hyperherd.yaml"), Path::new("/ws"))
            .unwrap_or_else(|e| panic!("{e}\n{text}"));
        let lists: Vec<Vec<Value>> = cfg.parameters.iter().map(values_of).collect();
        let namer = Namer::new(&cfg);
        let conds = RowConditions::new(&cfg, &lists).expect("no force");
        let rows = expand_rows(&cfg, &namer, &lists, conds, true);
        let reference = general(&cfg, &namer, &lists, false);
        if let (Ok(r), Ok(want)) = (expand(&cfg), &reference) {
            // expand() takes the rows path, with or without dedupe as it judges.
            assert_eq!(pairs(&r), pairs(want), "{yaml}");
        }
        (rows, reference)
    }

    fn pairs(t: &[NamedTrial]) -> Vec<(String, Trial)> {
        t.iter()
            .map(|t| (t.name.clone(), t.trial.clone()))
            .collect()
    }

    fn same(yaml: &str) {
        match both(yaml) {
            (Ok(got), Ok(want)) => assert_eq!(pairs(&got), pairs(&want), "{yaml}"),
            (got, want) => assert_eq!(got.map(|t| pairs(&t)), want.map(|t| pairs(&t)), "{yaml}"),
        }
    }

    const PARAMS: &str = "parameters:
  lr: {type: continuous, low: 1.0e-4, high: 1.0e-1, scale: log, steps: 4}
  wd: {type: continuous, low: 0.0, high: 0.1, steps: 3}
  opt: {type: discrete, values: [adam, sgd, lamb]}
  seed: {type: discrete, values: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]}
";

    #[test]
    fn rows_give_the_general_paths_trials() {
        same(PARAMS);
        // The bench's conditions: matcher and set, expression when and sets, exclude.
        same(&format!(
            "{PARAMS}conditions:
  - name: sgd-momentum
    when: {{opt: sgd}}
    set: {{momentum: 0.9}}
  - name: derived
    when: {{expr: \"lr > 3e-3\"}}
    set:
      lr_sqrt: {{expr: \"lr ** 0.5\"}}
      warmup: {{expr: \"max(100, seed * 2)\"}}
  - when: {{opt: lamb, wd: {{ge: 0.05}}}}
    exclude: {{seed: [0, 1, 2]}}
"
        ));
        // A later set keeps the key's place; expressions reading many combinations
        // (lr, wd, seed: 120 > the tests' memo limit) are evaluated per row.
        same(&format!(
            "{PARAMS}conditions:
  - when: {{opt: [adam, lamb], seed: {{lt: \"5\"}}}}
    set: {{tag: a, x: {{expr: \"lr * wd + seed\"}}, m: true}}
  - when: {{expr: \"opt if seed % 2 else ''\"}}
    set: {{tag: b, y: {{expr: \"opt * 2\"}}}}
  - when: {{seed: {{ne: 3}}, opt: {{not_in: [sgd]}}}}
    exclude: {{opt: [adam], lr: 0.1}}
"
        ));
    }

    #[test]
    fn rows_dedupe_like_the_general_path() {
        // 1, 1.0 and '1' share a dedupe key: the first survives, with its extras.
        same(
            "parameters:
  a: {type: discrete, values: [1, 1.0, '1', 2]}
  b: {type: discrete, values: [x, y]}
conditions:
  - when: {a: 1.0}
    set: {w: {expr: \"a * 3\"}}
  - when: {b: y}
    exclude: {a: [2]}
",
        );
    }

    #[test]
    fn rows_fail_like_the_general_path() {
        let params = "parameters:
  a: {type: discrete, values: [1, 2, 3, 4]}
  b: {type: discrete, values: [1, 2]}
";
        // The first condition fails only at a late trial, the second at the first:
        // the first condition's failure is the one reported.
        let (rows, reference) = both(&format!(
            "{params}conditions:
  - when: {{expr: \"1 / (a - 4) > 0\"}}
    set: {{x: 1}}
  - when: {{b: 1}}
    set: {{y: {{expr: \"1 // (b - 1)\"}}}}
"
        ));
        let msg = reference.expect_err("fails");
        assert!(msg.starts_with("conditions[0]"), "{msg}");
        assert_eq!(rows.err(), Some(msg));
        // A result that cannot be passed on, and an error after an exclude.
        same(&format!(
            "{params}conditions:
  - when: {{a: 4}}
    exclude: {{b: [1]}}
  - when: {{expr: \"b == 2\"}}
    set: {{s: {{expr: \"'v w' if a == 3 else 'v'\"}}}}
"
        ));
        same(&format!(
            "{params}conditions:
  - when: {{a: 4}}
    exclude: {{b: [2]}}
  - when: {{a: [1, 4]}}
    set: {{z: {{expr: \"a / (b - 2)\"}}}}
"
        ));
    }
}
