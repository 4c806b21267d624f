//! Callbacks (OpenAPI 3.0 `callbacks` on an operation) and webhooks (3.1
//! top-level `webhooks`): requests the API sends to its consumer. Each is
//! read with the loader's own operation builder, so its request body,
//! examples and declared responses come compiled; they are kept out of the
//! route table (they are not served) but in the contract (coverage counts
//! them, the callback module sends them).

use std::sync::Arc;

use serde_json::Value;

use super::build::Builder;
use super::model::Operation;
use super::refs::Loc;

const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Whether the API sends it after answering one of its operations, or on its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallbackKind {
    /// An operation's `callbacks` entry: sent after that operation is answered.
    Callback,
    /// A top-level `webhooks` entry (3.1): sent when asked for or on a schedule.
    Webhook,
}

impl CallbackKind {
    /// `callback` or `webhook`, as the journal and coverage write it.
    pub fn as_str(self) -> &'static str {
        match self {
            CallbackKind::Callback => "callback",
            CallbackKind::Webhook => "webhook",
        }
    }
}

/// One request the API sends to its consumer.
#[derive(Debug, Clone)]
pub struct Callback {
    /// Callback or webhook.
    pub kind: CallbackKind,
    /// The callback's (or webhook's) name in the document (`onEvent`).
    pub name: String,
    /// The `operationId` of the operation that declares it (callbacks only).
    pub owner: Option<String>,
    /// The URL as a runtime expression (`{$request.body#/callbackUrl}`);
    /// empty for webhooks, whose target is given by the user.
    pub expression: String,
    /// The request it sends and the answers it accepts, compiled. Its
    /// `operationId` is `owner.name` (`createSubscription.onEvent`) or
    /// `webhook.name`; its path is the expression (a webhook's: its name).
    pub operation: Arc<Operation>,
}

impl Builder<'_> {
    /// The callbacks of every operation of `ops` (3.0 and 3.1 alike).
    pub fn callbacks(&mut self, ops: &[Operation]) -> Vec<Pending> {
        let mut out = Vec::new();
        for op in ops {
            let at = op.loc.child("callbacks");
            let names: Vec<String> = match self.files.get(&at).and_then(Value::as_object) {
                Some(m) => m.keys().cloned().collect(),
                None => continue,
            };
            for name in names {
                let Some(loc) = self.item(&at.child(&name)) else {
                    continue;
                };
                let exprs: Vec<String> = match self.files.get(&loc).and_then(Value::as_object) {
                    Some(m) => m.keys().filter(|k| !k.starts_with("x-")).cloned().collect(),
                    None => continue,
                };
                for expr in exprs {
                    let id = format!("{}.{name}", op.operation_id);
                    for (op, _) in self.path_item_operations(&loc.child(&expr), &id, &expr) {
                        out.push(Pending {
                            kind: CallbackKind::Callback,
                            name: name.clone(),
                            owner: Some(op_owner(&id)),
                            expression: expr.clone(),
                            operation: op,
                        });
                    }
                }
            }
        }
        out
    }

    /// The document's top-level `webhooks` (3.1).
    pub fn webhooks(&mut self) -> Vec<Pending> {
        let top = Loc::new(&self.files.root, "").child("webhooks");
        let names: Vec<String> = match self.files.get(&top).and_then(Value::as_object) {
            Some(m) => m.keys().filter(|k| !k.starts_with("x-")).cloned().collect(),
            None => return Vec::new(),
        };
        let mut out = Vec::new();
        for name in names {
            let id = format!("webhook.{name}");
            // Its name stands where a path would: a webhook has no URL of its own.
            for (op, _) in self.path_item_operations(&top.child(&name), &id, &name) {
                out.push(Pending {
                    kind: CallbackKind::Webhook,
                    name: name.clone(),
                    owner: None,
                    expression: String::new(),
                    operation: op,
                });
            }
        }
        out
    }

    /// A callback object or path item, through its `$ref`.
    fn item(&mut self, loc: &Loc) -> Option<Loc> {
        match self.files.deref(loc) {
            Ok((l, _)) => Some(l),
            Err(e) => {
                self.warnings.push(e);
                None
            }
        }
    }

    /// Each method of a path item, built as an operation named `id` (one
    /// operation) or `id.method` (several). What cannot be built is a
    /// warning: the callback is left out, the rest is served.
    fn path_item_operations(&mut self, at: &Loc, id: &str, path: &str) -> Vec<(Operation, Loc)> {
        let Some(item_loc) = self.item(at) else {
            return Vec::new();
        };
        let methods: Vec<&str> = METHODS
            .iter()
            .copied()
            .filter(|m| self.files.get(&item_loc.child(m)).is_some())
            .collect();
        let mut out = Vec::new();
        for m in &methods {
            let op_loc = item_loc.child(m);
            let before = (self.errors.len(), self.warnings.len());
            // "/" as the template: a runtime expression's braces are not path variables.
            let built = self.operation("/", &item_loc, &op_loc, m, None);
            let problems = self.errors.split_off(before.0);
            let Some(mut op) = built else { continue };
            if let Some(first) = problems.first() {
                let e = self
                    .files
                    .error(&op_loc, format!("the callback {id} is left out: {first}"))
                    .hint("fix the callback's operation; nothing is sent for it until then");
                self.warnings.truncate(before.1);
                self.warnings.push(e);
                continue;
            }
            self.warnings.truncate(before.1);
            op.operation_id = if methods.len() == 1 {
                id.to_string()
            } else {
                format!("{id}.{m}")
            };
            op.display_id = op.operation_id.clone();
            op.id_derived = false;
            op.path = path.to_string();
            op.route = path.to_string();
            op.qualified = format!("{}/{}", op.document, op.operation_id).into();
            // Not in the contract's per-operation tables (field catalogues).
            op.index = usize::MAX;
            out.push((op, op_loc));
        }
        out
    }
}

/// `createSubscription.onEvent` -> `createSubscription`.
fn op_owner(id: &str) -> String {
    id.rsplit_once('.').map_or(id, |(o, _)| o).to_string()
}

/// A callback whose operation is not shared yet (its examples are checked
/// with the served operations' before it is).
pub struct Pending {
    kind: CallbackKind,
    name: String,
    owner: Option<String>,
    expression: String,
    pub(super) operation: Operation,
}

/// Two expressions of one callback sending the same method would share an
/// id: the later ones get `-2`, `-3`. Then the operations are shared.
pub fn seal(list: Vec<Pending>) -> Vec<Callback> {
    let mut seen = std::collections::HashSet::new();
    list.into_iter()
        .map(|mut p| {
            let base = p.operation.operation_id.clone();
            let mut id = base.clone();
            let mut n = 2;
            while !seen.insert(id.clone()) {
                id = format!("{base}-{n}");
                n += 1;
            }
            if id != base {
                let op = &mut p.operation;
                op.qualified = format!("{}/{id}", op.document).into();
                op.display_id = id.clone();
                op.operation_id = id;
            }
            Callback {
                kind: p.kind,
                name: p.name,
                owner: p.owner,
                expression: p.expression,
                operation: Arc::new(p.operation),
            }
        })
        .collect()
}
