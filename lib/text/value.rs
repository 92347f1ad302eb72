//! The value model of parameters and extras, shared by config, expansion and records.
//!
//! A value is what YAML (1.2 scalars) or the manifest JSON can hold: null, bool, a
//! 64-bit int, a double, a string, a list, or a mapping with string keys. The type is
//! significant (int `1` and float `1.0` differ in JSON and in the trial hash), and key
//! order is kept everywhere, so maps are ordered association lists ([`Assoc`]).

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
use std::fmt;

/// One parameter (or extra) value.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// YAML `null` / `~`, JSON `null`.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// An integer that fits in 64 bits.
    Int(i64),
    /// An integer outside 64 bits, as its decimal text (`-` and digits). Python's ints
    /// are unbounded and its json module writes them bare (a token count of 2^70);
    /// such values are only read from results files and written back verbatim.
    BigInt(String),
    /// A double.
    Float(f64),
    /// A string.
    Str(String),
    /// A list.
    List(Vec<Value>),
    /// A mapping with string keys, in their original order.
    Map(Assoc),
}

/// An ordered mapping from names to values (parameters of a trial, extras, metrics).
///
/// Small by nature (a handful of parameters), so lookups are linear.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Assoc(pub Vec<(String, Value)>);

impl Assoc {
    /// An empty mapping.
    pub fn new() -> Assoc {
        Assoc(Vec::new())
    }

    /// The value of `key`, if present.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// Set `key`: an existing key keeps its position, a new one goes at the end.
    pub fn insert(&mut self, key: &str, value: Value) {
        match self.0.iter_mut().find(|(k, _)| k == key) {
            Some(slot) => slot.1 = value,
            None => self.0.push((key.to_string(), value)),
        }
    }

    /// Iterate over `(key, value)` in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// True when there are no entries.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl Value {
    /// The numeric value of an int, float or bool (Python treats bool as an int).
    pub fn as_number(&self) -> Option<f64> {
        match self {
            Value::Bool(b) => Some(if *b { 1.0 } else { 0.0 }),
            Value::Int(i) => Some(*i as f64),
            Value::BigInt(s) => s.parse().ok(),
            Value::Float(f) => Some(*f),
            _ => None,
        }
    }

    /// The value of a number (an int, a big int, a float) as a double; None for
    /// anything else, booleans included (unlike [`Value::as_number`], Python's
    /// `float()`): what statistics and curves count as a measurement.
    pub fn as_measurement(&self) -> Option<f64> {
        match self {
            Value::Bool(_) => None,
            v => v.as_number(),
        }
    }

    /// A short name of the kind, for messages.
    pub fn kind(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Int(_) | Value::BigInt(_) => "an integer",
            Value::Float(_) => "a number",
            Value::Str(_) => "a string",
            Value::List(_) => "a list",
            Value::Map(_) => "a mapping",
        }
    }

    /// Convert a JSON value (parsed with `preserve_order`) into a value.
    pub fn from_json(v: serde_json::Value) -> Value {
        match v {
            serde_json::Value::Null => Value::Null,
            serde_json::Value::Bool(b) => Value::Bool(b),
            serde_json::Value::Number(n) => match n.as_i64() {
                Some(i) => Value::Int(i),
                None => Value::Float(n.as_f64().unwrap_or(f64::NAN)),
            },
            serde_json::Value::String(s) => Value::Str(s),
            serde_json::Value::Array(a) => {
                Value::List(a.into_iter().map(Value::from_json).collect())
            }
            serde_json::Value::Object(o) => Value::Map(Assoc(
                o.into_iter()
                    .map(|(k, v)| (k, Value::from_json(v)))
                    .collect(),
            )),
        }
    }
}

impl Serialize for Value {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Value::Null => s.serialize_unit(),
            Value::Bool(b) => s.serialize_bool(*b),
            Value::Int(i) => s.serialize_i64(*i),
            Value::BigInt(digits) => {
                // serde_json writes a raw value verbatim: the exact digits.
                let raw = serde_json::value::RawValue::from_string(digits.clone())
                    .map_err(serde::ser::Error::custom)?;
                raw.serialize(s)
            }
            Value::Float(f) => s.serialize_f64(*f),
            Value::Str(v) => s.serialize_str(v),
            Value::List(items) => {
                let mut seq = s.serialize_seq(Some(items.len()))?;
                for it in items {
                    seq.serialize_element(it)?;
                }
                seq.end()
            }
            Value::Map(m) => m.serialize(s),
        }
    }
}

impl Serialize for Assoc {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

struct ValueVisitor;

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        Value::deserialize(d)
    }
    fn visit_bool<E>(self, b: bool) -> Result<Value, E> {
        Ok(Value::Bool(b))
    }
    fn visit_i64<E>(self, i: i64) -> Result<Value, E> {
        Ok(Value::Int(i))
    }
    fn visit_u64<E: de::Error>(self, u: u64) -> Result<Value, E> {
        i64::try_from(u)
            .map(Value::Int)
            .map_err(|_| E::custom(format!("integer {u} is too large (the limit is 2^63-1)")))
    }
    fn visit_f64<E>(self, f: f64) -> Result<Value, E> {
        Ok(Value::Float(f))
    }
    fn visit_str<E>(self, s: &str) -> Result<Value, E> {
        Ok(Value::Str(s.to_string()))
    }
    fn visit_string<E>(self, s: String) -> Result<Value, E> {
        Ok(Value::Str(s))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut out = Vec::new();
        while let Some(v) = seq.next_element()? {
            out.push(v);
        }
        Ok(Value::List(out))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = Assoc::new();
        // Duplicate check: a linear scan for small maps, a set once a map is large
        // (a results summary can hold thousands of metrics).
        let mut seen: Option<std::collections::HashSet<String>> = None;
        while let Some((k, v)) = map.next_entry::<String, Value>()? {
            let dup = match &mut seen {
                Some(set) => !set.insert(k.clone()),
                None => out.get(&k).is_some(),
            };
            if dup {
                return Err(de::Error::custom(format!("duplicate key '{k}'")));
            }
            out.0.push((k, v));
            if seen.is_none() && out.0.len() > 32 {
                seen = Some(out.0.iter().map(|(k, _)| k.clone()).collect());
            }
        }
        Ok(Value::Map(out))
    }
}

impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Value, D::Error> {
        d.deserialize_any(ValueVisitor)
    }
}

impl<'de> Deserialize<'de> for Assoc {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Assoc, D::Error> {
        match Value::deserialize(d)? {
            Value::Map(m) => Ok(m),
            other => Err(de::Error::custom(format!(
                "expected a mapping, got {}",
                other.kind()
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_round_trip_keeps_types_and_order() {
        let text = r#"{"b": 1, "a": 1.0, "c": [null, true, "x"], "d": {"z": 1, "y": 2}}"#;
        let v: Value = serde_json::from_str(text).unwrap();
        let Value::Map(m) = &v else {
            panic!("not a map")
        };
        assert_eq!(m.get("b"), Some(&Value::Int(1)));
        assert_eq!(m.get("a"), Some(&Value::Float(1.0)));
        assert_eq!(
            serde_json::to_string(&v).unwrap(),
            r#"{"b":1,"a":1.0,"c":[null,true,"x"],"d":{"z":1,"y":2}}"#
        );
    }

    #[test]
    fn insert_keeps_position_of_existing_keys() {
        let mut a = Assoc::new();
        a.insert("x", Value::Int(1));
        a.insert("y", Value::Int(2));
        a.insert("x", Value::Int(3));
        assert_eq!(
            a.0,
            vec![("x".into(), Value::Int(3)), ("y".into(), Value::Int(2))]
        );
    }

    #[test]
    fn duplicate_keys_are_an_error() {
        let r: Result<Value, _> = serde_json::from_str(r#"{"a": 1, "a": 2}"#);
        assert!(r.unwrap_err().to_string().contains("duplicate key 'a'"));
        let keys: Vec<String> = (0..100).map(|i| format!("\"k{i}\": {i}")).collect();
        let big = format!("{{{}, \"k7\": 0}}", keys.join(", "));
        let r: Result<Value, _> = serde_json::from_str(&big);
        assert!(r.unwrap_err().to_string().contains("duplicate key 'k7'"));
    }
}
