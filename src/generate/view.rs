//! A read-only view of the plans' schema graph, for what else needs the
//! shape of a schema without walking JSON again (field coverage): the
//! properties, items, `additionalProperties`, `enum` and `oneOf`/`anyOf`
//! branches of a node, with `$ref` and `allOf` followed.

use serde_json::Value;

use super::plan::{PlanId, Plans};
use crate::spec::{Direction, Loc};

/// One schema node of a document's plans.
#[derive(Clone, Copy)]
pub struct SchemaView<'a> {
    plans: &'a Plans,
    id: PlanId,
}

impl std::fmt::Debug for SchemaView<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SchemaView({})", self.id)
    }
}

/// Which combinator a branch belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Combinator {
    /// `oneOf`.
    OneOf,
    /// `anyOf`.
    AnyOf,
}

impl Combinator {
    /// The keyword.
    pub fn keyword(self) -> &'static str {
        match self {
            Combinator::OneOf => "oneOf",
            Combinator::AnyOf => "anyOf",
        }
    }
}

impl Plans {
    /// The schema at `loc`, if a plan was built for it.
    pub fn view(&self, loc: &Loc) -> Option<SchemaView<'_>> {
        Some(SchemaView {
            plans: self,
            id: self.at(loc)?,
        })
    }
}

impl<'a> SchemaView<'a> {
    fn at(&self, id: PlanId) -> SchemaView<'a> {
        SchemaView {
            plans: self.plans,
            id,
        }
    }

    /// An identity of the node (the same node reached twice, through `$ref`
    /// or not, has the same one): what recursion is detected by.
    pub fn id(&self) -> u32 {
        self.id
    }

    /// This node and every node it takes on through `$ref` and `allOf`, in
    /// that order, each once.
    pub fn merged(&self) -> Vec<SchemaView<'a>> {
        let mut out: Vec<SchemaView<'a>> = Vec::new();
        let mut todo = vec![self.id];
        while let Some(id) = todo.pop() {
            if out.iter().any(|v| v.id == id) || out.len() > 64 {
                continue;
            }
            out.push(self.at(id));
            if let Some(n) = self.plans.node(id) {
                todo.extend(n.all_of.iter().rev().copied());
                todo.extend(n.reference);
            }
        }
        out
    }

    /// `properties`, in the schema's order, without those hidden in `dir`
    /// (`readOnly` ones in requests, `writeOnly` ones in responses).
    pub fn properties(&self, dir: Direction) -> Vec<(&'a str, SchemaView<'a>)> {
        let Some(n) = self.plans.node(self.id) else {
            return Vec::new();
        };
        let Some(o) = n.object.as_deref() else {
            return Vec::new();
        };
        let hidden = match dir {
            Direction::Request => &n.rare().hidden_request,
            Direction::Response => &n.rare().hidden_response,
        };
        o.props
            .iter()
            .filter(|(name, _)| !hidden.contains(name))
            .map(|(name, id)| (&**name, self.at(*id)))
            .collect()
    }

    /// `additionalProperties`, when it is a schema that admits something.
    pub fn additional(&self) -> Option<SchemaView<'a>> {
        let o = self.plans.node(self.id)?.object.as_deref()?;
        o.additional
            .filter(|id| !self.plans.is_false(*id))
            .map(|id| self.at(id))
    }

    /// `items` (and `prefixItems`): the schemas of array members.
    pub fn items(&self) -> Vec<SchemaView<'a>> {
        let Some(a) = self.plans.node(self.id).and_then(|n| n.array.as_deref()) else {
            return Vec::new();
        };
        a.prefix
            .iter()
            .chain(a.items.iter())
            .map(|id| self.at(*id))
            .collect()
    }

    /// `enum`, if the node has one.
    pub fn enumeration(&self) -> Option<&'a [Value]> {
        self.plans.node(self.id)?.enumeration.as_deref()
    }

    /// `oneOf` and `anyOf` branches, with their combinator.
    pub fn branches(&self) -> Vec<(Combinator, SchemaView<'a>)> {
        let Some(n) = self.plans.node(self.id) else {
            return Vec::new();
        };
        let rare = n.rare();
        let one = rare
            .one_of
            .iter()
            .flatten()
            .map(|id| (Combinator::OneOf, *id));
        let any = rare
            .any_of
            .iter()
            .flatten()
            .map(|id| (Combinator::AnyOf, *id));
        one.chain(any).map(|(c, id)| (c, self.at(id))).collect()
    }

    /// `required` names.
    pub fn required(&self) -> Vec<&'a str> {
        self.plans
            .node(self.id)
            .map(|n| n.required.iter().map(|s| &**s).collect())
            .unwrap_or_default()
    }

    /// True when a value of this JSON type can match, as far as `type` says
    /// (`"integer"` for integral numbers).
    pub fn admits_type(&self, value: &Value) -> bool {
        let Some(n) = self.plans.node(self.id) else {
            return !self.plans.is_false(self.id);
        };
        let Some(types) = n.types else {
            return true;
        };
        use super::plan::{T_ARR, T_BOOL, T_INT, T_NULL, T_NUM, T_OBJ, T_STR};
        let bit = match value {
            Value::Null => T_NULL,
            Value::Bool(_) => T_BOOL,
            Value::Object(_) => T_OBJ,
            Value::Array(_) => T_ARR,
            Value::String(_) => T_STR,
            Value::Number(x) if x.is_i64() || x.is_u64() => T_INT | T_NUM,
            Value::Number(_) => T_NUM,
        };
        types & bit != 0
    }
}
