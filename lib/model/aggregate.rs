//! Trials that share the values of some parameters, taken together (`herd-res
//! --by`): per metric, how many numeric values there are, their mean, sample
//! standard deviation, minimum and maximum, and how many trials have none.
//!
//! Numbers are ints and floats (bools and strings are not); NaN, null, a string or
//! no value at all count as missing, never in the mean. The mean and variance are
//! Welford's running ones, stable where a plain sum of squares cancels; an infinity
//! makes the mean infinite (NaN when both signs occur) and the deviation NaN.

use crate::text::value::Value;
use std::collections::BTreeMap;

/// The running statistics of one metric over a group.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Stats {
    /// Numeric values taken (finite or infinite).
    pub n: u64,
    /// Values that were missing, NaN or not numeric.
    pub missing: u64,
    /// The finite values' count, mean and sum of squared deviations (Welford).
    finite: u64,
    mean: f64,
    m2: f64,
    pos_inf: u64,
    neg_inf: u64,
    min: f64,
    max: f64,
}

impl Stats {
    /// Take one trial's value (None: the trial has none).
    pub fn add(&mut self, v: Option<&Value>) {
        let x = v.and_then(Value::as_measurement);
        let Some(x) = x.filter(|x| !x.is_nan()) else {
            self.missing += 1;
            return;
        };
        if self.n == 0 {
            self.min = x;
            self.max = x;
        } else {
            self.min = self.min.min(x);
            self.max = self.max.max(x);
        }
        self.n += 1;
        if x == f64::INFINITY {
            self.pos_inf += 1;
        } else if x == f64::NEG_INFINITY {
            self.neg_inf += 1;
        } else {
            self.finite += 1;
            let d = x - self.mean;
            self.mean += d / self.finite as f64;
            self.m2 += d * (x - self.mean);
        }
    }

    /// The mean; None without values.
    pub fn mean(&self) -> Option<f64> {
        match (self.n, self.pos_inf > 0, self.neg_inf > 0) {
            (0, _, _) => None,
            (_, true, true) => Some(f64::NAN),
            (_, true, false) => Some(f64::INFINITY),
            (_, false, true) => Some(f64::NEG_INFINITY),
            _ => Some(self.mean),
        }
    }

    /// The sample standard deviation (n − 1); None with fewer than two values.
    pub fn std(&self) -> Option<f64> {
        if self.n < 2 {
            return None;
        }
        if self.pos_inf + self.neg_inf > 0 {
            return Some(f64::NAN);
        }
        Some((self.m2 / (self.n - 1) as f64).sqrt())
    }

    /// The smallest value; None without values.
    pub fn min(&self) -> Option<f64> {
        (self.n > 0).then_some(self.min)
    }

    /// The largest value; None without values.
    pub fn max(&self) -> Option<f64> {
        (self.n > 0).then_some(self.max)
    }
}

/// Trials sharing the values of the grouping parameters.
#[derive(Clone, Debug, PartialEq)]
pub struct Group {
    /// The grouping parameters' values (None: a trial without that parameter).
    pub key: Vec<Option<Value>>,
    /// The trials' indices, in the order they were added.
    pub indices: Vec<u64>,
    /// One entry per metric, in the order of the metrics given.
    pub stats: Vec<Stats>,
}

/// Groups built from trials added one by one; groups come out in the order their
/// first trial was added.
#[derive(Debug, Default)]
pub struct Grouper {
    groups: Vec<Group>,
    at: BTreeMap<String, usize>,
}

impl Grouper {
    /// Add trial `index` with its grouping values `key` and its metric values
    /// (one per metric, the same number for every trial).
    pub fn add(&mut self, index: u64, key: Vec<Option<Value>>, metrics: &[Option<&Value>]) {
        // Debug text tells 1 from 1.0 and "1" apart, as the parameters' values do.
        let text = format!("{key:?}");
        let k = match self.at.get(&text) {
            Some(&k) => k,
            None => {
                self.groups.push(Group {
                    key,
                    indices: Vec::new(),
                    stats: vec![Stats::default(); metrics.len()],
                });
                self.at.insert(text, self.groups.len() - 1);
                self.groups.len() - 1
            }
        };
        let g = &mut self.groups[k];
        g.indices.push(index);
        for (s, v) in g.stats.iter_mut().zip(metrics) {
            s.add(*v);
        }
    }

    /// The groups.
    pub fn finish(self) -> Vec<Group> {
        self.groups
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stats(vals: &[Option<Value>]) -> Stats {
        let mut s = Stats::default();
        for v in vals {
            s.add(v.as_ref());
        }
        s
    }

    #[test]
    fn nan_strings_bools_and_missing_are_counted_not_averaged() {
        let s = stats(&[
            Some(Value::Float(1.0)),
            Some(Value::Int(3)),
            Some(Value::Float(f64::NAN)),
            Some(Value::Str("n/a".into())),
            Some(Value::Bool(true)),
            Some(Value::Null),
            None,
        ]);
        assert_eq!((s.n, s.missing), (2, 5));
        assert_eq!(s.mean(), Some(2.0));
        assert_eq!(s.std(), Some(2f64.sqrt()));
        assert_eq!((s.min(), s.max()), (Some(1.0), Some(3.0)));
        let one = stats(&[Some(Value::Float(0.5))]);
        assert_eq!((one.mean(), one.std()), (Some(0.5), None));
        let none = stats(&[None, Some(Value::Float(f64::NAN))]);
        assert_eq!(
            (none.n, none.missing, none.mean(), none.min()),
            (0, 2, None, None)
        );
    }

    #[test]
    fn the_mean_and_deviation_are_stable() {
        // A plain sum of squares loses every digit here; Welford keeps them.
        let big = 1e9;
        let vals: Vec<Option<Value>> = [4.0, 7.0, 13.0, 16.0]
            .iter()
            .map(|x| Some(Value::Float(big + x)))
            .collect();
        let s = stats(&vals);
        assert_eq!(s.mean(), Some(big + 10.0));
        assert!(
            (s.std().unwrap() - 30f64.sqrt()).abs() < 1e-9,
            "{:?}",
            s.std()
        );
    }

    #[test]
    fn infinities_make_the_mean_infinite_and_the_deviation_nan() {
        let s = stats(&[Some(Value::Float(f64::INFINITY)), Some(Value::Float(1.0))]);
        assert_eq!(
            (s.n, s.mean(), s.max()),
            (2, Some(f64::INFINITY), Some(f64::INFINITY))
        );
        assert!(s.std().unwrap().is_nan());
        let both = stats(&[
            Some(Value::Float(f64::INFINITY)),
            Some(Value::Float(f64::NEG_INFINITY)),
        ]);
        assert!(both.mean().unwrap().is_nan());
        assert_eq!(both.min(), Some(f64::NEG_INFINITY));
    }

    #[test]
    fn groups_keep_first_seen_order_and_tell_types_apart() {
        let mut g = Grouper::default();
        let v = Value::Float(2.0);
        g.add(0, vec![Some(Value::Float(0.1))], &[Some(&v)]);
        g.add(1, vec![Some(Value::Int(1))], &[None]);
        g.add(2, vec![Some(Value::Float(0.1))], &[Some(&v)]);
        g.add(3, vec![Some(Value::Float(1.0))], &[Some(&v)]);
        g.add(4, vec![None], &[Some(&v)]);
        let groups = g.finish();
        let got: Vec<(Vec<Option<Value>>, Vec<u64>)> = groups
            .iter()
            .map(|g| (g.key.clone(), g.indices.clone()))
            .collect();
        assert_eq!(
            got,
            vec![
                (vec![Some(Value::Float(0.1))], vec![0, 2]),
                (vec![Some(Value::Int(1))], vec![1]),
                (vec![Some(Value::Float(1.0))], vec![3]),
                (vec![None], vec![4]),
            ]
        );
        assert_eq!((groups[0].stats[0].n, groups[1].stats[0].missing), (2, 1));
    }
}
