//! The syntax tree of an expression and its load-time validation.
//!
//! The tree mirrors Python's `ast` closely enough to reproduce the reference's
//! checks: constructs outside the language are kept as [`Node::Disallowed`] with
//! Python's AST class name, and the checks walk the tree breadth-first, children in
//! Python's field order, exactly like `ast.walk`, so that the first violation
//! reported is the one Python would report.

use std::collections::VecDeque;

/// The functions an expression may call.
pub(crate) const FUNCTIONS: [&str; 2] = ["max", "min"];

/// A constant.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Const {
    /// `None`.
    None,
    /// `True` / `False`.
    Bool(bool),
    /// An integer literal.
    Int(i64),
    /// A float literal.
    Float(f64),
    /// A string literal.
    Str(String),
    /// A constant Python accepts but herd does not evaluate (bytes, `...`, complex,
    /// integers beyond 64 bits); the text says what it is.
    Unsupported(String),
}

/// A binary operator.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum BinOp {
    Add,
    Sub,
    Mult,
    Div,
    FloorDiv,
    Mod,
    Pow,
    MatMult,
    BitOr,
    BitXor,
    BitAnd,
    LShift,
    RShift,
}

/// A unary operator.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum UnOp {
    UAdd,
    USub,
    Not,
    Invert,
}

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum CmpOp {
    Eq,
    NotEq,
    Lt,
    LtE,
    Gt,
    GtE,
    In,
    NotIn,
    Is,
    IsNot,
}

/// `and` / `or`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum BoolOp {
    And,
    Or,
}

/// A node of the tree.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Node {
    Const(Const),
    Name(String),
    Unary(UnOp, Box<Node>),
    Binary(Box<Node>, BinOp, Box<Node>),
    Bool(BoolOp, Vec<Node>),
    Compare(Box<Node>, Vec<(CmpOp, Node)>),
    /// `body if test else orelse`, stored as (test, body, orelse) like Python.
    IfExp(Box<Node>, Box<Node>, Box<Node>),
    Tuple(Vec<Node>),
    List(Vec<Node>),
    /// A call: function, positional arguments, number of keyword arguments.
    Call(Box<Node>, Vec<Node>, usize),
    /// A construct outside the language, named by its Python AST class
    /// (`Attribute`, `Subscript`, `Lambda`, …). Its children are never visited:
    /// the walk reports the node itself first.
    Disallowed(&'static str),
}

impl BinOp {
    fn py_name(self) -> &'static str {
        match self {
            BinOp::Add => "Add",
            BinOp::Sub => "Sub",
            BinOp::Mult => "Mult",
            BinOp::Div => "Div",
            BinOp::FloorDiv => "FloorDiv",
            BinOp::Mod => "Mod",
            BinOp::Pow => "Pow",
            BinOp::MatMult => "MatMult",
            BinOp::BitOr => "BitOr",
            BinOp::BitXor => "BitXor",
            BinOp::BitAnd => "BitAnd",
            BinOp::LShift => "LShift",
            BinOp::RShift => "RShift",
        }
    }

    fn allowed(self) -> bool {
        !matches!(
            self,
            BinOp::MatMult
                | BinOp::BitOr
                | BinOp::BitXor
                | BinOp::BitAnd
                | BinOp::LShift
                | BinOp::RShift
        )
    }
}

impl UnOp {
    fn py_name(self) -> &'static str {
        match self {
            UnOp::UAdd => "UAdd",
            UnOp::USub => "USub",
            UnOp::Not => "Not",
            UnOp::Invert => "Invert",
        }
    }
}

impl CmpOp {
    fn py_name(self) -> &'static str {
        match self {
            CmpOp::Eq => "Eq",
            CmpOp::NotEq => "NotEq",
            CmpOp::Lt => "Lt",
            CmpOp::LtE => "LtE",
            CmpOp::Gt => "Gt",
            CmpOp::GtE => "GtE",
            CmpOp::In => "In",
            CmpOp::NotIn => "NotIn",
            CmpOp::Is => "Is",
            CmpOp::IsNot => "IsNot",
        }
    }
}

/// One step of the walk: a node, or an operator node (its name, and whether it is allowed).
enum Item<'a> {
    Node(&'a Node),
    Op(&'static str, bool),
}

/// The children of `node`, in Python's `_fields` order (operators included).
fn children(node: &Node) -> Vec<Item<'_>> {
    match node {
        Node::Const(_) | Node::Name(_) | Node::Disallowed(_) => Vec::new(),
        Node::Unary(op, operand) => vec![
            Item::Op(op.py_name(), *op != UnOp::Invert),
            Item::Node(operand),
        ],
        Node::Binary(left, op, right) => {
            vec![
                Item::Node(left),
                Item::Op(op.py_name(), op.allowed()),
                Item::Node(right),
            ]
        }
        Node::Bool(op, values) => {
            let name = if *op == BoolOp::And { "And" } else { "Or" };
            let mut out = vec![Item::Op(name, true)];
            out.extend(values.iter().map(Item::Node));
            out
        }
        Node::Compare(left, rest) => {
            let mut out = vec![Item::Node(left)];
            out.extend(
                rest.iter()
                    .map(|(op, _)| Item::Op(op.py_name(), !matches!(op, CmpOp::Is | CmpOp::IsNot))),
            );
            out.extend(rest.iter().map(|(_, n)| Item::Node(n)));
            out
        }
        Node::IfExp(test, body, orelse) => {
            vec![Item::Node(test), Item::Node(body), Item::Node(orelse)]
        }
        Node::Tuple(elts) | Node::List(elts) => elts.iter().map(Item::Node).collect(),
        Node::Call(func, args, _) => {
            let mut out = vec![Item::Node(func)];
            out.extend(args.iter().map(Item::Node));
            out
        }
    }
}

/// Every node in `ast.walk` order (breadth-first).
fn walk(root: &Node) -> Vec<Item<'_>> {
    let mut out = Vec::new();
    let mut todo = VecDeque::from([Item::Node(root)]);
    while let Some(item) = todo.pop_front() {
        if let Item::Node(n) = item {
            todo.extend(children(n));
        }
        out.push(item);
    }
    out
}

/// The names the tree reads (parameters, or `min`/`max` as functions), each once, in
/// walk order.
pub(crate) fn names(root: &Node) -> Vec<&str> {
    let mut out: Vec<&str> = Vec::new();
    for item in walk(root) {
        if let Item::Node(Node::Name(id)) = item {
            if !out.contains(&id.as_str()) {
                out.push(id);
            }
        }
    }
    out
}

/// The height of the tree, computed without recursion.
pub(crate) fn height(root: &Node) -> usize {
    let mut max = 0;
    let mut stack = vec![(root, 1)];
    while let Some((node, depth)) = stack.pop() {
        max = max.max(depth);
        for child in children(node) {
            if let Item::Node(n) = child {
                stack.push((n, depth + 1));
            }
        }
    }
    max
}

/// Python's list repr of strings: `['a', 'b']`.
pub(crate) fn list_repr(items: &[&str]) -> String {
    let parts: Vec<String> = items
        .iter()
        .map(|s| super::fmt::repr_str(s, false))
        .collect();
    format!("[{}]", parts.join(", "))
}

/// The reference's load-time checks: disallowed syntax and calls first (one walk),
/// then unknown names (a second walk). `src_repr` is the Python repr of the source.
/// Unsupported constants are reported last: Python accepts them, herd does not.
pub(crate) fn validate(root: &Node, src_repr: &str, names: &[&str]) -> Result<(), String> {
    let items = walk(root);
    let funcs = list_repr(&FUNCTIONS);
    for item in &items {
        let bad = match item {
            Item::Op(name, allowed) => (!allowed).then_some(*name),
            Item::Node(Node::Disallowed(name)) => Some(*name),
            Item::Node(Node::Call(func, _, keywords)) => {
                let Node::Name(fname) = func.as_ref() else {
                    return Err(format!(
                        "Only direct calls to {funcs} are allowed in expression {src_repr}"
                    ));
                };
                if !FUNCTIONS.contains(&fname.as_str()) {
                    return Err(format!(
                        "Disallowed function {} in expression {src_repr} (allowed: {funcs})",
                        super::fmt::repr_str(fname, false)
                    ));
                }
                if *keywords > 0 {
                    return Err(format!(
                        "Keyword arguments are not allowed in expression {src_repr}"
                    ));
                }
                None
            }
            Item::Node(_) => None,
        };
        if let Some(name) = bad {
            return Err(format!(
                "Disallowed syntax in expression {src_repr}: {name} is not permitted \
                 (allowed: arithmetic, comparison, boolean, membership, {funcs})"
            ));
        }
    }
    for item in &items {
        if let Item::Node(Node::Name(id)) = item {
            if !names.contains(&id.as_str()) && !FUNCTIONS.contains(&id.as_str()) {
                let mut sorted: Vec<&str> = names.to_vec();
                sorted.sort_unstable();
                sorted.dedup();
                return Err(format!(
                    "Unknown name {} in expression {src_repr}. Available names: {}",
                    super::fmt::repr_str(id, false),
                    list_repr(&sorted)
                ));
            }
        }
    }
    for item in &items {
        if let Item::Node(Node::Const(Const::Unsupported(what))) = item {
            return Err(format!(
                "Unsupported constant in expression {src_repr}: {what}"
            ));
        }
    }
    Ok(())
}
