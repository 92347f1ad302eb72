//! Evaluation of a validated tree with CPython 3.11 semantics.
//!
//! Values are Python objects ([`Obj`]): herd's [`Value`] kinds plus a tuple (kept
//! apart from lists for `==`, `+` and repr, returned as a list) and the two built-in
//! functions. Every error is a returned message, never a panic; memory use is
//! bounded by a per-evaluation [`Budget`].

use super::ast::{BoolOp, Const, Node, UnOp};
use super::ops;
use crate::text::value::{Assoc, Value};

/// A Python object, as far as expressions can produce one.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Obj {
    None,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    List(Vec<Obj>),
    Tuple(Vec<Obj>),
    Dict(Vec<(String, Obj)>),
    Func(Func),
}

/// The built-in functions expressions can call.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Func {
    Min,
    Max,
}

impl Func {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Func::Min => "min",
            Func::Max => "max",
        }
    }
}

impl Obj {
    /// The object for a parameter value (lists stay lists, mappings become dicts).
    pub(crate) fn from_value(v: &Value) -> Obj {
        match v {
            Value::Null => Obj::None,
            Value::Bool(b) => Obj::Bool(*b),
            Value::Int(i) => Obj::Int(*i),
            // Only results files hold these; an expression sees the nearest float.
            Value::BigInt(_) => Obj::Float(v.as_number().unwrap_or(f64::NAN)),
            Value::Float(f) => Obj::Float(*f),
            Value::Str(s) => Obj::Str(s.clone()),
            Value::List(items) => Obj::List(items.iter().map(Obj::from_value).collect()),
            Value::Map(m) => Obj::Dict(
                m.iter()
                    .map(|(k, v)| (k.to_string(), Obj::from_value(v)))
                    .collect(),
            ),
        }
    }

    /// The value of a result: tuples become lists (as Python's JSON stores them).
    pub(crate) fn into_value(self) -> Result<Value, String> {
        Ok(match self {
            Obj::None => Value::Null,
            Obj::Bool(b) => Value::Bool(b),
            Obj::Int(i) => Value::Int(i),
            Obj::Float(f) => Value::Float(f),
            Obj::Str(s) => Value::Str(s),
            Obj::List(items) | Obj::Tuple(items) => Value::List(
                items
                    .into_iter()
                    .map(Obj::into_value)
                    .collect::<Result<_, _>>()?,
            ),
            Obj::Dict(entries) => {
                let mut map = Assoc::new();
                for (k, v) in entries {
                    map.0.push((k, v.into_value()?));
                }
                Value::Map(map)
            }
            Obj::Func(f) => {
                return Err(format!(
                    "the result is the built-in function {}, not a value",
                    f.name()
                ))
            }
        })
    }

    /// Python's type name, for messages.
    pub(crate) fn type_name(&self) -> &'static str {
        match self {
            Obj::None => "NoneType",
            Obj::Bool(_) => "bool",
            Obj::Int(_) => "int",
            Obj::Float(_) => "float",
            Obj::Str(_) => "str",
            Obj::List(_) => "list",
            Obj::Tuple(_) => "tuple",
            Obj::Dict(_) => "dict",
            Obj::Func(_) => "builtin_function_or_method",
        }
    }

    /// Python truthiness.
    pub(crate) fn truthy(&self) -> bool {
        match self {
            Obj::None => false,
            Obj::Bool(b) => *b,
            Obj::Int(i) => *i != 0,
            Obj::Float(f) => *f != 0.0,
            Obj::Str(s) => !s.is_empty(),
            Obj::List(v) | Obj::Tuple(v) => !v.is_empty(),
            Obj::Dict(d) => !d.is_empty(),
            Obj::Func(_) => true,
        }
    }

    /// A measure of the memory the object holds (string bytes plus items).
    pub(crate) fn weight(&self) -> usize {
        match self {
            Obj::Str(s) => 1 + s.len(),
            Obj::List(v) | Obj::Tuple(v) => v
                .iter()
                .fold(1usize, |acc, o| acc.saturating_add(o.weight())),
            Obj::Dict(d) => d.iter().fold(1usize, |acc, (k, o)| {
                acc.saturating_add(k.len() + o.weight())
            }),
            _ => 1,
        }
    }
}

/// What one evaluation may still build, in [`Obj::weight`] units (list items and
/// string bytes). Python has no such cap (it would raise `MemoryError` or exhaust the
/// machine); herd stops early. The cap matches the longest override string a launcher
/// can receive, so no result that could be passed on is refused, and an expression
/// evaluated for each of many trials costs at most about a millisecond each.
pub(crate) struct Budget(usize);

/// The most nodes one evaluation visits (each at most once: expressions have no loops,
/// so this only bounds very long expressions).
pub(crate) const MAX_STEPS: usize = 1 << 17;

impl Budget {
    pub(crate) const TOTAL: usize = 1 << 17;

    pub(crate) fn new() -> Budget {
        Budget(Budget::TOTAL)
    }

    /// Take `units` (None: an overflowing count) or fail with `result too large`.
    pub(crate) fn charge(&mut self, units: Option<usize>) -> Result<(), String> {
        match units {
            Some(u) if u <= self.0 => {
                self.0 -= u;
                Ok(())
            }
            _ => Err(format!(
                "result too large (an expression may build at most {} list items or string bytes)",
                Budget::TOTAL
            )),
        }
    }
}

/// An evaluation: the names in scope and what may still be allocated.
pub(crate) struct Eval<'a> {
    env: &'a [(&'a str, &'a Value)],
    budget: Budget,
    steps: usize,
}

impl<'a> Eval<'a> {
    pub(crate) fn new(env: &'a [(&'a str, &'a Value)]) -> Eval<'a> {
        Eval {
            env,
            budget: Budget::new(),
            steps: 0,
        }
    }

    pub(crate) fn eval(&mut self, node: &Node) -> Result<Obj, String> {
        self.steps += 1;
        if self.steps > MAX_STEPS {
            return Err(format!(
                "expression too long to evaluate (more than {MAX_STEPS} steps)"
            ));
        }
        match node {
            Node::Const(c) => match c {
                Const::None => Ok(Obj::None),
                Const::Bool(b) => Ok(Obj::Bool(*b)),
                Const::Int(i) => Ok(Obj::Int(*i)),
                Const::Float(f) => Ok(Obj::Float(*f)),
                Const::Str(s) => Ok(Obj::Str(s.clone())),
                Const::Unsupported(what) => Err(what.clone()),
            },
            Node::Name(name) => self.lookup(name),
            Node::Unary(op, operand) => {
                let v = self.eval(operand)?;
                match op {
                    UnOp::Not => Ok(Obj::Bool(!v.truthy())),
                    _ => ops::unary(*op, v),
                }
            }
            Node::Binary(left, op, right) => {
                let a = self.eval(left)?;
                let b = self.eval(right)?;
                ops::binary(*op, a, b, &mut self.budget)
            }
            Node::Bool(op, values) => {
                let mut last = Obj::None;
                for (i, v) in values.iter().enumerate() {
                    last = self.eval(v)?;
                    let decided = match op {
                        BoolOp::And => !last.truthy(),
                        BoolOp::Or => last.truthy(),
                    };
                    if decided || i + 1 == values.len() {
                        break;
                    }
                }
                Ok(last)
            }
            Node::Compare(left, rest) => {
                let mut a = self.eval(left)?;
                for (op, right) in rest {
                    let b = self.eval(right)?;
                    if !ops::compare(*op, &a, &b)? {
                        return Ok(Obj::Bool(false));
                    }
                    a = b;
                }
                Ok(Obj::Bool(true))
            }
            Node::IfExp(test, body, orelse) => {
                if self.eval(test)?.truthy() {
                    self.eval(body)
                } else {
                    self.eval(orelse)
                }
            }
            Node::Tuple(elts) => Ok(Obj::Tuple(self.eval_all(elts)?)),
            Node::List(elts) => Ok(Obj::List(self.eval_all(elts)?)),
            Node::Call(func, args, _) => {
                let f = self.eval(func)?;
                let args = self.eval_all(args)?;
                match f {
                    Obj::Func(f) => call(f, args),
                    other => Err(format!("'{}' object is not callable", other.type_name())),
                }
            }
            Node::Disallowed(name) => Err(format!("{name} is not permitted")),
        }
    }

    fn eval_all(&mut self, nodes: &[Node]) -> Result<Vec<Obj>, String> {
        nodes.iter().map(|n| self.eval(n)).collect()
    }

    /// A parameter (charged, since each use copies it), else a built-in function.
    fn lookup(&mut self, name: &str) -> Result<Obj, String> {
        if let Some((_, v)) = self.env.iter().find(|(k, _)| *k == name) {
            let obj = Obj::from_value(v);
            self.budget.charge(Some(obj.weight()))?;
            return Ok(obj);
        }
        match name {
            "min" => Ok(Obj::Func(Func::Min)),
            "max" => Ok(Obj::Func(Func::Max)),
            _ => Err(format!("name '{name}' is not defined")),
        }
    }
}

/// `min(...)` / `max(...)`: several arguments, or one iterable; the first of equal
/// extremes wins, as in CPython.
fn call(f: Func, mut args: Vec<Obj>) -> Result<Obj, String> {
    let name = f.name();
    let items = match args.len() {
        0 => return Err(format!("{name} expected at least 1 argument, got 0")),
        1 => match args.remove(0) {
            Obj::List(v) | Obj::Tuple(v) => v,
            // The extreme character, without building one string per character.
            Obj::Str(s) => {
                let c = match f {
                    Func::Min => s.chars().min(),
                    Func::Max => s.chars().max(),
                };
                return c
                    .map(|c| Obj::Str(c.to_string()))
                    .ok_or_else(|| format!("{name}() arg is an empty sequence"));
            }
            Obj::Dict(d) => d.into_iter().map(|(k, _)| Obj::Str(k)).collect(),
            other => return Err(format!("'{}' object is not iterable", other.type_name())),
        },
        _ => args,
    };
    let mut items = items.into_iter();
    let Some(mut best) = items.next() else {
        return Err(format!("{name}() arg is an empty sequence"));
    };
    let op = match f {
        Func::Min => super::ast::CmpOp::Lt,
        Func::Max => super::ast::CmpOp::Gt,
    };
    for item in items {
        if ops::compare(op, &item, &best)? {
            best = item;
        }
    }
    Ok(best)
}
