//! `--pin NAME=VALUE`: restrict a command to the trials whose parameter has a value.

use crate::config::Config;
use crate::error::Error;
use crate::text::pystr::{py_eq, pystr};
use crate::text::value::{Assoc, Value};

/// Parsed pins: parameter name and the typed value it must equal.
#[derive(Debug, Clone, Default)]
pub struct Pins(pub Vec<(String, Value)>);

impl Pins {
    /// Type each `NAME=VALUE` against the config: the value is read as a YAML scalar
    /// (`32` an int, `1e-2` a float, `adam` a string).
    pub fn parse(cfg: &Config, raw: &[(String, String)]) -> Result<Pins, Error> {
        let mut out = Vec::with_capacity(raw.len());
        for (name, text) in raw {
            if !cfg.parameters.iter().any(|p| &p.name == name) {
                let is_static = cfg
                    .static_overrides
                    .iter()
                    .any(|s| s.split('=').next() == Some(name.as_str()));
                let names: Vec<&str> = cfg.parameters.iter().map(|p| p.name.as_str()).collect();
                let msg = if is_static {
                    format!("--pin {name}: '{name}' is a static_overrides key, not a parameter")
                } else {
                    format!("--pin {name}: unknown parameter '{name}'")
                };
                return Err(Error::usage(format!(
                    "{msg} (parameters: {})",
                    names.join(", ")
                )));
            }
            let value = match serde_yaml::from_str::<Value>(text) {
                Ok(
                    v @ (Value::Null
                    | Value::Int(_)
                    | Value::Float(_)
                    | Value::Bool(_)
                    | Value::Str(_)),
                ) => v,
                _ => Value::Str(text.clone()),
            };
            // The tables print null as Python does, `None`: accept what they show,
            // unless the parameter really has the string "None" among its values.
            let value = match value {
                Value::Str(t) if t == "None" && !has_string_value(cfg, name, "None") => Value::Null,
                v => v,
            };
            out.push((name.clone(), value));
        }
        Ok(Pins(out))
    }

    /// True when there are no pins.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// True when every pinned parameter of `params` equals its pin (Python `==`).
    pub fn matches(&self, params: &Assoc) -> bool {
        self.0
            .iter()
            .all(|(k, v)| params.get(k).is_some_and(|x| py_eq(x, v)))
    }

    /// `lr=0.01, opt=adam`, for messages.
    pub fn describe(&self) -> String {
        let parts: Vec<String> = self
            .0
            .iter()
            .map(|(k, v)| format!("{k}={}", pystr(v)))
            .collect();
        parts.join(", ")
    }
}

/// True when discrete parameter `name` lists the string `text` among its values.
fn has_string_value(cfg: &Config, name: &str, text: &str) -> bool {
    cfg.parameters.iter().any(|p| {
        p.name == name
            && matches!(&p.kind, crate::config::ParamKind::Discrete { values, .. }
                if values.iter().any(|v| matches!(v, Value::Str(s) if s == text)))
    })
}
