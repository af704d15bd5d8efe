//! The keywords that constrain one value: its type, its list of values, its
//! format and its bounds.

use super::*;

impl Differ<'_> {
    pub(super) fn types(
        &mut self,
        owner: &Owner,
        pointer: &str,
        o: &Map<String, Value>,
        n: &Map<String, Value>,
    ) {
        let (a, b) = (types(o), types(n));
        if a == b {
            return;
        }
        let describe = |t: &Option<BTreeSet<String>>| match t {
            Some(t) => t.iter().cloned().collect::<Vec<_>>().join(" | "),
            None => "any".to_owned(),
        };
        let message = format!("type {} → {}", describe(&a), describe(&b));
        let without_null = |t: &BTreeSet<String>| -> BTreeSet<String> {
            t.iter().filter(|t| *t != "null").cloned().collect()
        };
        let kind = match (&a, &b) {
            (Some(a), Some(b)) if without_null(a) == without_null(b) && b.contains("null") => {
                Kind::NullableAdded
            }
            (Some(a), Some(b)) if without_null(a) == without_null(b) => Kind::NullableRemoved,
            _ => Kind::TypeChanged,
        };
        let message = match kind {
            Kind::NullableAdded => {
                format!("{message}: the field may now be null, which old receivers refuse")
            }
            Kind::NullableRemoved => format!("{message}: the Rust type loses its Option"),
            _ => format!("{message}: the Rust type changes"),
        };
        self.push(owner, pointer, kind, true, message);
    }

    pub(super) fn values(
        &mut self,
        owner: &Owner,
        pointer: &str,
        o: &Map<String, Value>,
        n: &Map<String, Value>,
    ) {
        let list = |m: &Map<String, Value>| m.get("enum").and_then(Value::as_array).cloned();
        match (list(o), list(n)) {
            (Some(a), Some(b)) => {
                // Lenient receivers keep any string they do not know.
                let open = b.iter().all(Value::is_string);
                for value in b.iter().filter(|v| !a.contains(v)) {
                    let message = if open {
                        format!(
                            "value {} added; receivers built on the old schemas keep it as Unknown",
                            show(value)
                        )
                    } else {
                        format!(
                            "value {} added to a list of non-strings, which stays closed",
                            show(value)
                        )
                    };
                    self.push(owner, pointer, Kind::ValueAdded, !open, message);
                }
                for value in a.iter().filter(|v| !b.contains(v)) {
                    self.push(
                        owner,
                        pointer,
                        Kind::ValueRemoved,
                        true,
                        format!("value {} removed: its Rust variant disappears", show(value)),
                    );
                }
            }
            (None, Some(_)) => self.push(
                owner,
                pointer,
                Kind::ListClosed,
                true,
                "becomes a documented list of values: the Rust type changes to an enum".to_owned(),
            ),
            (Some(_), None) => self.push(
                owner,
                pointer,
                Kind::ListOpened,
                true,
                "is no longer a documented list of values: the Rust type changes".to_owned(),
            ),
            (None, None) => {}
        }
    }

    pub(super) fn format(
        &mut self,
        owner: &Owner,
        pointer: &str,
        o: &Map<String, Value>,
        n: &Map<String, Value>,
    ) {
        let format = |m: &Map<String, Value>| m.get("format").and_then(Value::as_str).map(str::to_owned);
        let rust = |f: &Option<String>| {
            f.as_deref()
                .and_then(|f| RUST_TYPED_FORMATS.iter().find(|(name, _)| *name == f))
                .map(|(_, ty)| *ty)
        };
        let (a, b) = (format(o), format(n));
        if a == b {
            return;
        }
        let retyped = rust(&a) != rust(&b);
        let (kind, breaking, message) = match (&a, &b) {
            (None, Some(f)) => (Kind::FormatAdded, retyped, format!("format {f:?} added")),
            (Some(f), None) => (
                Kind::FormatRemoved,
                true,
                format!("format {f:?} dropped: old receivers refuse values it no longer rules out"),
            ),
            (Some(x), Some(y)) => (Kind::FormatChanged, true, format!("format {x:?} → {y:?}")),
            (None, None) => return,
        };
        let message = if retyped {
            format!(
                "{message}; the Rust type changes ({} → {})",
                rust(&a).unwrap_or("String"),
                rust(&b).unwrap_or("String")
            )
        } else {
            message
        };
        self.push(owner, pointer, kind, breaking, message);
    }

    pub(super) fn bounds(
        &mut self,
        owner: &Owner,
        pointer: &str,
        o: &Map<String, Value>,
        n: &Map<String, Value>,
    ) {
        // A number's bounds, inclusive or not, compared as one.
        for (lower, name) in [(true, "lower"), (false, "upper")] {
            let show_bound = |b: Option<rules::Bound>| match b {
                Some(b) if lower => format!("{} {}", if b.exclusive { ">" } else { "≥" }, b.value),
                Some(b) => format!("{} {}", if b.exclusive { "<" } else { "≤" }, b.value),
                None => "none".to_owned(),
            };
            let (a, b) = (rules::bound(o, lower), rules::bound(n, lower));
            if a == b {
                continue;
            }
            let tightened = match (a, b) {
                (None, Some(_)) => true,
                (Some(a), Some(b)) => rules::tighter(b, a, lower),
                _ => false,
            };
            let what = format!("{name} bound {} → {}", show_bound(a), show_bound(b));
            if tightened {
                self.push(owner, pointer, Kind::ConstraintTightened, false, what);
            } else {
                self.push(
                    owner,
                    pointer,
                    Kind::ConstraintRelaxed,
                    true,
                    format!("{what}: old receivers refuse values it now allows"),
                );
            }
        }
        for (bound, larger_tightens) in [(Diff::LowerBound, true), (Diff::UpperBound, false)] {
            for keyword in keywords::all(|k| k.diff == bound) {
                if matches!(
                    keyword,
                    "minimum" | "exclusiveMinimum" | "maximum" | "exclusiveMaximum"
                ) {
                    continue;
                }
                let (a, b) = (o.get(keyword), n.get(keyword));
                if a == b {
                    continue;
                }
                let tightened = match (a.and_then(Value::as_f64), b.and_then(Value::as_f64)) {
                    (None, Some(_)) => true,
                    (Some(_), None) => false,
                    (Some(x), Some(y)) => (y > x) == larger_tightens,
                    (None, None) => false,
                };
                self.constraint(owner, pointer, keyword, a, b, Some(tightened));
            }
        }
        for keyword in keywords::all(|k| k.diff == Diff::Constraint) {
            let (a, b) = (o.get(keyword), n.get(keyword));
            match (a, b) {
                _ if a == b => {}
                (None, Some(_)) => self.constraint(owner, pointer, keyword, a, b, Some(true)),
                (Some(_), None) => self.constraint(owner, pointer, keyword, a, b, Some(false)),
                _ => self.constraint(owner, pointer, keyword, a, b, None),
            }
        }
        // typify picks a field's Rust integer type from its bounds.
        let integer = |m: &Map<String, Value>| types(m).is_some_and(|t| t.contains("integer"));
        if integer(o) && integer(n) {
            let (a, b) = (rust_integer(o), rust_integer(n));
            if a != b {
                self.push_rust(
                    owner,
                    pointer,
                    format!("the bounds change the Rust integer type from {a} to {b}"),
                );
            }
        }
        // typify makes a string with a length or a pattern a type of its own
        // (a newtype over String, checked when built), and so the keys of a
        // map whose `propertyNames` has one.
        let string = |m: &Map<String, Value>| types(m).is_some_and(|t| t.contains("string"));
        if string(o) && string(n) && newtype_string(o) != newtype_string(n) {
            let (a, b) = if newtype_string(o) {
                ("a type of its own", "String")
            } else {
                ("String", "a type of its own")
            };
            self.push_rust(
                owner,
                pointer,
                format!("its length or pattern constraints come or go, so typify's Rust type changes from {a} to {b}"),
            );
        }
        let object = |m: &Map<String, Value>| types(m).is_some_and(|t| t.contains("object"));
        // (A keyword typify cannot generate makes no Rust type to change.)
        let generated = |m: &Map<String, Value>| {
            !m.keys()
                .any(|k| keywords::rust(k) == kit_webhooks_schema_model::keywords::Rust::Unsupported)
        };
        if object(o) && object(n) && generated(o) && generated(n) && object_shape(o) != object_shape(n) {
            self.push_rust(
                owner,
                pointer,
                format!(
                    "typify's Rust type for the object changes from {} to {}",
                    object_shape(o),
                    object_shape(n)
                ),
            );
        }
        if object(o) && object(n) && key_type(o) != key_type(n) {
            self.push_rust(
                owner,
                pointer,
                format!(
                    "propertyNames changes the Rust key type of the map from {} to {}",
                    key_type(o),
                    key_type(n)
                ),
            );
        }
    }

    pub(super) fn constraint(
        &mut self,
        owner: &Owner,
        pointer: &str,
        keyword: &str,
        a: Option<&Value>,
        b: Option<&Value>,
        tightened: Option<bool>,
    ) {
        let what = match (a, b) {
            (None, Some(b)) => format!("{keyword} {} added", show(b)),
            (Some(a), None) => format!("{keyword} {} dropped", show(a)),
            (Some(a), Some(b)) => format!("{keyword} {} → {}", show(a), show(b)),
            (None, None) => return,
        };
        match tightened {
            Some(true) => self.push(owner, pointer, Kind::ConstraintTightened, false, what),
            Some(false) => self.push(
                owner,
                pointer,
                Kind::ConstraintRelaxed,
                true,
                format!("{what}: old receivers refuse values it now allows"),
            ),
            None => self.push(
                owner,
                pointer,
                Kind::Unproven,
                true,
                format!("{what}: it may allow values old receivers refuse"),
            ),
        }
    }
}

/// Whether typify makes a string schema a newtype over `String`: a length
/// or a pattern, not within a list of values or a constant, and no `format`
/// typify reads as a type of its own.
fn newtype_string(m: &Map<String, Value>) -> bool {
    let typed_format = m
        .get("format")
        .and_then(Value::as_str)
        .is_some_and(|f| super::RUST_TYPED_FORMATS.iter().any(|(name, _)| *name == f));
    !m.contains_key("enum")
        && !m.contains_key("const")
        && !typed_format
        && ["minLength", "maxLength", "pattern"]
            .iter()
            .any(|k| m.contains_key(*k))
}

/// The Rust type typify gives the keys of a map with this schema's
/// `propertyNames`.
fn key_type(m: &Map<String, Value>) -> &'static str {
    let Some(names) = m.get("propertyNames").and_then(Value::as_object) else {
        return "String";
    };
    if newtype_string(names) || names.contains_key("enum") || names.contains_key("const") {
        return "a type of its own";
    }
    names
        .get("format")
        .and_then(Value::as_str)
        .and_then(|f| super::RUST_TYPED_FORMATS.iter().find(|(name, _)| *name == f))
        .map_or("String", |(_, ty)| ty)
}

/// What typify makes of an object: a struct of its fields, or with none, an
/// empty struct (closed) or a map (open).
fn object_shape(m: &Map<String, Value>) -> &'static str {
    let fields = m
        .get("properties")
        .and_then(Value::as_object)
        .is_some_and(|p| !p.is_empty());
    if fields {
        "a struct of its fields"
    } else if m.get("additionalProperties") == Some(&Value::Bool(false)) {
        "an empty struct"
    } else {
        "a map"
    }
}
