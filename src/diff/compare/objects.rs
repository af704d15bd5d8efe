//! Objects: their fields (added, removed, required), what they do with the
//! fields they do not document, and the subschema lists (`allOf`, `anyOf`,
//! `oneOf`, `prefixItems`) and maps (`patternProperties`,
//! `dependentSchemas`) of any schema.

use super::*;

impl Differ<'_> {
    /// `allOf`, `anyOf`, `oneOf` and `prefixItems`: branches paired by
    /// equality first (their order does not matter, but for `prefixItems`),
    /// the rest in order.
    pub(super) fn branches(
        &mut self,
        owner: &Owner,
        pointer: &str,
        k: &str,
        a: &[Value],
        b: &[Value],
        o: &Map<String, Value>,
    ) {
        if k == "prefixItems" {
            let shared = a.len().min(b.len());
            // Positions `prefixItems` now covers were checked by the old
            // `items` (or `unevaluatedItems`), which no longer applies there.
            let checked_before = ["items", "unevaluatedItems"]
                .iter()
                .find(|k| o.get(**k).is_some_and(|v| v != &Value::Bool(true)));
            if let (true, Some(keyword)) = (b.len() > a.len(), checked_before) {
                for (i, (x, y)) in a.iter().zip(b).enumerate() {
                    self.compare(owner, &format!("{pointer}/{i}"), x, y);
                }
                self.push(
                    owner,
                    pointer,
                    Kind::Unproven,
                    true,
                    format!("prefixItems from position {shared} added, where the old `{keyword}` checked those items"),
                );
                return;
            }
            for (i, (x, y)) in a.iter().zip(b).enumerate() {
                self.compare(owner, &format!("{pointer}/{i}"), x, y);
            }
            if a.len() != b.len() {
                let (kind, breaking, what) = if b.len() > a.len() {
                    (
                        Kind::ConstraintTightened,
                        false,
                        "added: those positions are now checked",
                    )
                } else {
                    (
                        Kind::ConstraintRelaxed,
                        true,
                        "removed: those positions are no longer checked",
                    )
                };
                self.push(
                    owner,
                    pointer,
                    kind,
                    breaking,
                    format!("prefixItems from position {shared} {what}"),
                );
            }
            return;
        }
        let mut left: Vec<&Value> = a.iter().collect();
        let mut right: Vec<&Value> = Vec::new();
        for y in b {
            match left.iter().position(|x| *x == y) {
                // Equal text may still refer to definitions that changed.
                Some(i) => {
                    let x = left.remove(i);
                    self.compare(owner, pointer, x, y);
                }
                None => right.push(y),
            }
        }
        if left.len() == right.len() {
            for (x, y) in left.into_iter().zip(right) {
                self.compare(owner, pointer, x, y);
            }
            return;
        }
        let (fewer, more) = (left.len() > right.len(), left.len() < right.len());
        let (kind, breaking, what) = match (k, fewer, more) {
            ("allOf", _, true) => (Kind::ConstraintTightened, false, "a branch of allOf added"),
            ("allOf", true, _) => (Kind::ConstraintRelaxed, true, "a branch of allOf removed"),
            ("anyOf", _, true) => (
                Kind::ConstraintRelaxed,
                true,
                "a branch of anyOf added: it may let through values old receivers refuse",
            ),
            ("anyOf", true, _) => (Kind::ConstraintTightened, false, "a branch of anyOf removed"),
            _ => (
                Kind::Unproven,
                true,
                "the branches of oneOf changed in number, in a way this differ cannot prove safe",
            ),
        };
        // Only when the branches that stay are unchanged is the direction certain.
        let certain = left.is_empty() || right.is_empty();
        if certain {
            self.push(owner, pointer, kind, breaking, what.to_owned());
        } else {
            self.push(
                owner,
                pointer,
                Kind::Unproven,
                true,
                format!(
                    "the branches of {k} changed, and changed in number: this differ cannot prove it safe"
                ),
            );
        }
    }

    /// `patternProperties`, `dependentSchemas`: each entry compared; an entry
    /// added narrows what passes, one removed widens it.
    pub(super) fn schema_map_keyword(
        &mut self,
        owner: &Owner,
        pointer: &str,
        k: &str,
        a: &Map<String, Value>,
        b: &Map<String, Value>,
    ) {
        let names: BTreeSet<&String> = a.keys().chain(b.keys()).collect();
        for name in names {
            match (a.get(name), b.get(name)) {
                (Some(x), Some(y)) => self.compare(owner, pointer, x, y),
                (None, Some(_)) => self.push(
                    owner,
                    pointer,
                    Kind::ConstraintTightened,
                    false,
                    format!("{k} {name:?} added"),
                ),
                (Some(_), None) => self.push(
                    owner,
                    pointer,
                    Kind::ConstraintRelaxed,
                    true,
                    format!("{k} {name:?} removed: old receivers refuse values it no longer checks"),
                ),
                (None, None) => {}
            }
        }
    }

    pub(super) fn object(
        &mut self,
        owner: &Owner,
        pointer: &str,
        o: &Map<String, Value>,
        n: &Map<String, Value>,
    ) {
        let props = |m: &Map<String, Value>| {
            m.get("properties")
                .and_then(Value::as_object)
                .cloned()
                .unwrap_or_default()
        };
        let required = |m: &Map<String, Value>| -> BTreeSet<String> {
            m.get("required")
                .and_then(Value::as_array)
                .map(|r| r.iter().filter_map(Value::as_str).map(str::to_owned).collect())
                .unwrap_or_default()
        };
        let (op, np) = (props(o), props(n));
        let (or, nr) = (required(o), required(n));
        let mut names: Vec<&String> = op.keys().collect();
        for name in np.keys().chain(or.iter()).chain(nr.iter()) {
            if !names.contains(&name) {
                names.push(name);
            }
        }
        for name in names {
            let at = walk::push_token(pointer, name);
            let (was, is) = (or.contains(name), nr.contains(name));
            match (op.get(name), np.get(name)) {
                (None, Some(field)) if !op.contains_key(name) && !or.contains(name) => {
                    self.field_added(owner, &at, name, is, field, o, n);
                    continue;
                }
                (Some(_), None) => {
                    self.push(
                        owner,
                        &at,
                        Kind::FieldRemoved,
                        true,
                        "field removed: any value may now appear there, and its Rust field disappears"
                            .to_owned(),
                    );
                    continue;
                }
                (a, b) => {
                    // Equal text may still refer to definitions that changed.
                    let (a, b) = (a.unwrap_or(&Value::Bool(true)), b.unwrap_or(&Value::Bool(true)));
                    self.compare(owner, &at, a, b);
                }
            }
            if was && !is {
                self.push(
                    owner,
                    &at,
                    Kind::FieldOptional,
                    true,
                    "no longer required: deliveries may omit it, and its Rust type gains an Option"
                        .to_owned(),
                );
            } else if !was && is {
                let field = np
                    .get(name)
                    .map(|f| self.resolve(self.new, &schema_map(f)))
                    .unwrap_or_default();
                let nullable = types(&field).is_some_and(|t| t.contains("null"));
                let message = if nullable {
                    "now required (it was optional and is nullable, so its Rust type stays an Option)"
                        .to_owned()
                } else {
                    "now required: its Rust type loses the Option it had as an optional field".to_owned()
                };
                self.push(owner, &at, Kind::FieldRequired, !nullable, message);
            }
        }
        let (a, b) = (o.get("additionalProperties"), n.get("additionalProperties"));
        if a != b {
            let is_false = |v: Option<&Value>| v == Some(&Value::Bool(false));
            let any = |v: Option<&Value>| v.is_none() || v == Some(&Value::Bool(true));
            if is_false(a) && !is_false(b) {
                self.push(
                    owner,
                    pointer,
                    Kind::FieldsOpened,
                    true,
                    "undocumented fields are now allowed, where old receivers refuse them".to_owned(),
                );
            } else if !is_false(a) && is_false(b) {
                self.push(
                    owner,
                    pointer,
                    Kind::FieldsClosed,
                    false,
                    "undocumented fields are now refused".to_owned(),
                );
            } else if !(any(a) && any(b)) {
                let (a, b) = (a.unwrap_or(&Value::Bool(true)), b.unwrap_or(&Value::Bool(true)));
                self.compare(owner, &format!("{pointer}/*"), a, b);
            }
        }
    }

    /// A field NEW documents and OLD did not: safe unless OLD already
    /// checked such a field (a matching `patternProperties`, then
    /// `additionalProperties`, then `unevaluatedProperties`) against a schema
    /// its new schema does not stay within.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn field_added(
        &mut self,
        owner: &Owner,
        at: &str,
        name: &str,
        required: bool,
        field: &Value,
        o: &Map<String, Value>,
        n: &Map<String, Value>,
    ) {
        let how = if required { "required" } else { "optional" };
        let empty = Map::new();
        let patterns = |m: &Map<String, Value>| {
            m.get("patternProperties")
                .and_then(Value::as_object)
                .unwrap_or(&empty)
                .clone()
        };
        let (old_patterns, new_patterns) = (patterns(o), patterns(n));
        let mut matched = Vec::new();
        for (pattern, schema) in &old_patterns {
            match rules::matches(pattern, name) {
                Some(true) => matched.push((pattern.clone(), schema.clone())),
                Some(false) => {}
                None => {
                    return self.push(
                        owner,
                        at,
                        Kind::Unproven,
                        true,
                        format!("{how} field added, where the old patternProperties {pattern:?} may have checked it (the pattern does not compile here)"),
                    );
                }
            }
        }
        if !matched.is_empty() {
            // NEW checks the field against its own schema and the same
            // patterns: within what OLD allowed if the patterns are unchanged.
            let unchanged = matched.iter().all(|(p, s)| new_patterns.get(p) == Some(s));
            let patterns: Vec<&str> = matched.iter().map(|(p, _)| p.as_str()).collect();
            return if unchanged {
                self.push(
                    owner,
                    at,
                    Kind::ConstraintTightened,
                    false,
                    format!("{how} field documented; patternProperties {patterns:?} already allowed it, and still check it"),
                );
            } else {
                self.push(
                    owner,
                    at,
                    Kind::Unproven,
                    true,
                    format!("{how} field added, which the old patternProperties {patterns:?} checked, and those changed"),
                );
            };
        }
        let (keyword, old_check) = match (o.get("additionalProperties"), o.get("unevaluatedProperties")) {
            (Some(check), _) => ("additionalProperties", check),
            (None, Some(check)) => {
                let structural = ["allOf", "anyOf", "oneOf", "if", "dependentSchemas", "$ref"];
                if let Some(other) = structural.iter().find(|k| o.contains_key(**k)) {
                    return self.push(
                        owner,
                        at,
                        Kind::Unproven,
                        true,
                        format!("{how} field added where the old schema checks unevaluatedProperties beside `{other}`, which this differ cannot follow"),
                    );
                }
                ("unevaluatedProperties", check)
            }
            (None, None) => {
                return self.push(
                    owner,
                    at,
                    Kind::FieldAdded,
                    false,
                    format!("{how} field added; receivers built on the old schemas ignore it"),
                );
            }
        };
        match old_check {
            Value::Bool(true) => self.push(
                owner,
                at,
                Kind::FieldAdded,
                false,
                format!("{how} field added; receivers built on the old schemas ignore it"),
            ),
            Value::Bool(false) => self.push(
                owner,
                at,
                Kind::FieldAdded,
                true,
                format!(
                    "{how} field added where the old schema refused undocumented fields ({keyword}: false)"
                ),
            ),
            check => {
                // Within what OLD's check allowed: compared as a change from it.
                let mark = self.raw.len();
                let (queued, todo, edges) = (self.queued.clone(), self.todo.clone(), self.edges.len());
                let wire_only = std::mem::replace(&mut self.wire_only, true);
                self.compare(owner, at, check, field);
                self.wire_only = wire_only;
                let reason = self.raw[mark..]
                    .iter()
                    .find(|r| r.breaking)
                    .map(|r| r.message.clone());
                self.raw.truncate(mark);
                self.edges.truncate(edges);
                self.queued = queued;
                self.todo = todo;
                match reason {
                    None => self.push(
                        owner,
                        at,
                        Kind::FieldAdded,
                        false,
                        format!("{how} field added; old receivers checked it against {keyword}, and its schema stays within that"),
                    ),
                    Some(why) => self.push(
                        owner,
                        at,
                        Kind::FieldAdded,
                        true,
                        format!("{how} field added where old receivers check undocumented fields against {keyword}, which refuses values it allows ({why})"),
                    ),
                }
            }
        }
    }
}
