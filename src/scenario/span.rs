//! Where a value is in a scenario's text, by its [`FieldPath`].
//!
//! serde places the errors it finds while parsing; problems found afterwards (a target
//! of -1, a step that leaves a gap) carry the path of their field instead
//! (`pools[0].autoscale.scale_out.steps`), and this module finds that path in the text.
//! It reads RON's structure, not its meaning: `name: value` pairs inside parentheses,
//! lists in brackets, maps in braces, strings, comments, and everything else as a bare
//! word. An enum variant's name before its parentheses (`TargetTracking(...)`,
//! `Some(...)`) is looked through, so a path names fields only.

use crate::model::config::{FieldPath, PathSegment};

/// A value in the text: where it starts, and what is inside it.
#[derive(Debug)]
struct Node {
    /// Byte offset of the value's first character (a variant's name, if it has one).
    at: usize,
    /// Byte offset just past its last character.
    end: usize,
    kind: Kind,
}

#[derive(Debug)]
enum Kind {
    /// `( name: value, ... )`, possibly after a variant name.
    Struct(Vec<(String, usize, Node)>),
    /// `( a, b )` or `[ a, b ]`, possibly after a variant name.
    Seq(Vec<Node>),
    /// `{ k: v, ... }`: looked up by key text; the key's offset.
    Map(Vec<(String, usize, Node)>),
    /// A number, string, bare word or a unit variant.
    Leaf,
}

/// The 1-based line and column of the value at `path` in `text`: the field's name for a
/// struct field (`target: 0.6` points at `target`), the element itself in a list. When
/// the full path is not written in the text (a field left to its default), the deepest
/// part of it that is. `None` if the text does not parse as RON's structure at all.
pub fn locate_path(text: &str, path: &FieldPath) -> Option<(usize, usize)> {
    let mut p = Parser {
        s: text.as_bytes(),
        i: 0,
    };
    p.skip_ws();
    let root = p.value()?;
    let at = resolve(&root, &path.0, root.at);
    Some(line_col(text, at))
}

/// The offset of the deepest part of `path` found under `node`; `best` is the offset
/// found so far (the node's own, or its field name's).
fn resolve(node: &Node, path: &[PathSegment], best: usize) -> usize {
    let Some((first, rest)) = path.split_first() else {
        return best;
    };
    match (&node.kind, first) {
        (Kind::Struct(fields), PathSegment::Field(name)) => {
            // A field may be written under its other name (`services:` for `pools:`,
            // `entry:` for `pool:`).
            let alias = match name.as_ref() {
                "pools" => "services",
                "pool" => "entry",
                other => other,
            };
            match fields
                .iter()
                .find(|(n, _, _)| n == name.as_ref() || n == alias)
            {
                Some((_, name_at, value)) => resolve(value, rest, *name_at),
                None => best,
            }
        }
        (Kind::Map(entries), PathSegment::Field(name)) => {
            match entries
                .iter()
                .find(|(k, _, _)| k.trim_matches('"') == name.as_ref())
            {
                Some((_, key_at, value)) => resolve(value, rest, *key_at),
                None => best,
            }
        }
        (Kind::Seq(items), PathSegment::Index(i)) if items.len() > 1 || path_is_into(items) => {
            match items.get(*i) {
                Some(item) => resolve(item, rest, item.at),
                None => best,
            }
        }
        // A newtype variant's single value (`Combined([...])`, `Some((...))`): look
        // through it.
        (Kind::Seq(items), _) if items.len() == 1 => resolve(&items[0], path, best),
        _ => best,
    }
}

/// Whether a one-element sequence is a list to index into rather than a newtype
/// wrapper: `[x]` is a list; `(x)` wraps unless `x` itself cannot be indexed.
fn path_is_into(items: &[Node]) -> bool {
    !matches!(items.first().map(|n| &n.kind), Some(Kind::Seq(_)))
}

fn line_col(text: &str, at: usize) -> (usize, usize) {
    let at = at.min(text.len());
    let before = &text[..at];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |p| p + 1);
    let col = before[line_start..].chars().count() + 1;
    (line, col)
}

struct Parser<'a> {
    s: &'a [u8],
    i: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    /// Skips whitespace, `//` line comments, `/* */` block comments (nested, as RON
    /// allows) and `#![enable(...)]` attributes.
    fn skip_ws(&mut self) {
        loop {
            match (self.peek(), self.s.get(self.i + 1).copied()) {
                (Some(c), _) if c.is_ascii_whitespace() => self.i += 1,
                (Some(b'/'), Some(b'/')) => {
                    while self.peek().is_some_and(|c| c != b'\n') {
                        self.i += 1;
                    }
                }
                (Some(b'/'), Some(b'*')) => {
                    let mut depth = 0usize;
                    while self.i < self.s.len() {
                        if self.s[self.i..].starts_with(b"/*") {
                            depth += 1;
                            self.i += 2;
                        } else if self.s[self.i..].starts_with(b"*/") {
                            depth -= 1;
                            self.i += 2;
                            if depth == 0 {
                                break;
                            }
                        } else {
                            self.i += 1;
                        }
                    }
                }
                (Some(b'#'), Some(b'!')) => {
                    // An attribute: skip to its closing bracket.
                    while self.peek().is_some_and(|c| c != b']') {
                        self.i += 1;
                    }
                    self.i += 1;
                }
                _ => return,
            }
        }
    }

    fn value(&mut self) -> Option<Node> {
        let mut node = self.value_inner()?;
        node.end = self.i;
        Some(node)
    }

    fn value_inner(&mut self) -> Option<Node> {
        self.skip_ws();
        let at = self.i;
        match self.peek()? {
            b'(' => self.group(at),
            b'[' => {
                self.i += 1;
                let items = self.items(b']')?;
                Some(Node {
                    at,
                    end: 0,
                    kind: Kind::Seq(items),
                })
            }
            b'{' => self.map(at),
            b'"' => {
                self.string()?;
                Some(Node {
                    at,
                    end: 0,
                    kind: Kind::Leaf,
                })
            }
            // A raw string (`r"..."`, `r#"..."#`), not a raw identifier (`r#None`).
            b'r' if self.s[self.i + 1..]
                .iter()
                .find(|c| **c != b'#')
                .is_some_and(|c| *c == b'"') =>
            {
                self.raw_string()?;
                Some(Node {
                    at,
                    end: 0,
                    kind: Kind::Leaf,
                })
            }
            b'\'' => {
                // A char: 'x' or '\n'.
                self.i += 1;
                while self.peek().is_some_and(|c| c != b'\'') {
                    if self.peek() == Some(b'\\') {
                        self.i += 1;
                    }
                    self.i += 1;
                }
                self.i += 1;
                Some(Node {
                    at,
                    end: 0,
                    kind: Kind::Leaf,
                })
            }
            _ => {
                // A number or a word; a word followed by `(` is a variant or struct name.
                self.word();
                if self.i == at {
                    return None;
                }
                let after_word = self.i;
                self.skip_ws();
                if self.peek() == Some(b'(') {
                    self.group(at)
                } else {
                    self.i = after_word;
                    Some(Node {
                        at,
                        end: 0,
                        kind: Kind::Leaf,
                    })
                }
            }
        }
    }

    /// `( ... )` at the cursor: a struct if its first element is `name:`, else a tuple.
    fn group(&mut self, at: usize) -> Option<Node> {
        self.i += 1; // (
        self.skip_ws();
        let save = self.i;
        let is_struct = {
            let start = self.i;
            self.word();
            let is_ident =
                self.i > start && (self.s[start].is_ascii_alphabetic() || self.s[start] == b'_');
            self.skip_ws();
            let colon = self.peek() == Some(b':') && self.s.get(self.i + 1) != Some(&b':');
            is_ident && colon
        };
        self.i = save;
        if !is_struct {
            let items = self.items(b')')?;
            return Some(Node {
                at,
                end: 0,
                kind: Kind::Seq(items),
            });
        }
        let mut fields = Vec::new();
        loop {
            self.skip_ws();
            if self.peek()? == b')' {
                self.i += 1;
                break;
            }
            let name_at = self.i;
            self.word();
            let name = String::from_utf8_lossy(&self.s[name_at..self.i]).into_owned();
            self.skip_ws();
            if self.peek()? != b':' {
                return None;
            }
            self.i += 1;
            let value = self.value()?;
            fields.push((name, name_at, value));
            self.skip_ws();
            match self.peek()? {
                b',' => self.i += 1,
                b')' => {}
                _ => return None,
            }
        }
        Some(Node {
            at,
            end: 0,
            kind: Kind::Struct(fields),
        })
    }

    /// Comma-separated values up to `close` (consumed).
    fn items(&mut self, close: u8) -> Option<Vec<Node>> {
        let mut items = Vec::new();
        loop {
            self.skip_ws();
            if self.peek()? == close {
                self.i += 1;
                return Some(items);
            }
            items.push(self.value()?);
            self.skip_ws();
            match self.peek()? {
                b',' => self.i += 1,
                c if c == close => {}
                _ => return None,
            }
        }
    }

    fn map(&mut self, at: usize) -> Option<Node> {
        self.i += 1; // {
        let mut entries = Vec::new();
        loop {
            self.skip_ws();
            if self.peek()? == b'}' {
                self.i += 1;
                break;
            }
            let key = self.value()?;
            let key_text = String::from_utf8_lossy(&self.s[key.at..self.i]).into_owned();
            self.skip_ws();
            if self.peek()? != b':' {
                return None;
            }
            self.i += 1;
            let value = self.value()?;
            entries.push((key_text, key.at, value));
            self.skip_ws();
            match self.peek()? {
                b',' => self.i += 1,
                b'}' => {}
                _ => return None,
            }
        }
        Some(Node {
            at,
            end: 0,
            kind: Kind::Map(entries),
        })
    }

    /// A bare word: identifier, number (with sign, dot, exponent), `inf`, `NaN`.
    fn word(&mut self) {
        // A raw identifier's prefix (`r#None`).
        if self.peek() == Some(b'r') && self.s.get(self.i + 1) == Some(&b'#') {
            self.i += 2;
        }
        while self
            .peek()
            .is_some_and(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b'-' | b'+'))
        {
            self.i += 1;
        }
    }

    fn string(&mut self) -> Option<()> {
        self.i += 1; // "
        loop {
            match self.peek()? {
                b'\\' => self.i += 2,
                b'"' => {
                    self.i += 1;
                    return Some(());
                }
                _ => self.i += 1,
            }
        }
    }

    fn raw_string(&mut self) -> Option<()> {
        self.i += 1; // r
        let hashes = self.s[self.i..].iter().take_while(|&&c| c == b'#').count();
        self.i += hashes;
        if self.peek()? != b'"' {
            return None;
        }
        self.i += 1;
        let mut end = vec![b'"'];
        end.extend(std::iter::repeat_n(b'#', hashes));
        while !self.s[self.i..].starts_with(&end) {
            if self.i >= self.s.len() {
                return None;
            }
            self.i += 1;
        }
        self.i += end.len();
        Some(())
    }
}

/// `user` (a scenario as its author wrote it) changed the way `base` became `new`,
/// where `base` and `new` are the same serializer's text of the scenario before and
/// after an edit in a form. Only the values that differ are rewritten, in place, so the
/// author's comments, layout and omitted fields stay; a field the edit set that `user`
/// left out is added to its parent. `None` when the texts do not parse as RON's
/// structure or a change cannot be placed (the caller then writes the whole file).
pub fn patch(user: &str, base: &str, new: &str) -> Option<String> {
    let root = |text: &str| {
        let mut p = Parser {
            s: text.as_bytes(),
            i: 0,
        };
        p.skip_ws();
        p.value()
    };
    let (u, b, n) = (root(user)?, root(base)?, root(new)?);
    let mut edits = Vec::new();
    diff(user, base, new, Some(&u), &b, &n, &mut edits)?;
    // Apply from the end so earlier offsets stay valid.
    edits.sort_by_key(|e| std::cmp::Reverse(e.0));
    let mut out = user.to_string();
    for (start, end, text) in edits {
        out.replace_range(start..end, &text);
    }
    Some(out)
}

/// One edit of the user's text: replace `start..end` with the text.
type Edit = (usize, usize, String);

/// Collects the edits that make `u` (in `user`) say what `n` (in `new`) says where it
/// differs from `b` (in `base`).
fn diff(
    user: &str,
    base: &str,
    new: &str,
    u: Option<&Node>,
    b: &Node,
    n: &Node,
    edits: &mut Vec<Edit>,
) -> Option<()> {
    if base[b.at..b.end] == new[n.at..n.end] {
        return Some(());
    }
    let u = u?;
    match (&u.kind, &b.kind, &n.kind) {
        (Kind::Struct(uf), Kind::Struct(bf), Kind::Struct(nf))
            if same_head(user, u, base, b) && same_head(base, b, new, n) =>
        {
            for (name, _, nv) in nf {
                let (_, _, bv) = bf.iter().find(|(k, _, _)| k == name)?;
                match uf.iter().find(|(k, _, _)| k == name) {
                    Some((_, _, uv)) => diff(user, base, new, Some(uv), bv, nv, edits)?,
                    None if base[bv.at..bv.end] == new[nv.at..nv.end] => {}
                    None => edits.push(insert_field(user, u, uf, name, &new[nv.at..nv.end])?),
                }
            }
            // A field the edit removed (the serializer no longer writes it).
            if bf
                .iter()
                .any(|(k, _, _)| !nf.iter().any(|(m, _, _)| m == k))
            {
                return None;
            }
            Some(())
        }
        (Kind::Seq(ui), Kind::Seq(bi), Kind::Seq(ni))
            if ui.len() == bi.len() && bi.len() == ni.len() && same_head(base, b, new, n) =>
        {
            for ((uv, bv), nv) in ui.iter().zip(bi).zip(ni) {
                diff(user, base, new, Some(uv), bv, nv, edits)?;
            }
            Some(())
        }
        _ => {
            let value = &new[n.at..n.end];
            let value = if user[u.at..u.end].contains('\n') {
                value.to_string()
            } else {
                compact(value)
            };
            edits.push((u.at, u.end, value));
            Some(())
        }
    }
}

/// Whether two values have the same variant name before their parentheses (both none,
/// or the same word): `TargetTracking(...)` edited into `Hpa(...)` is replaced whole.
fn same_head(a_text: &str, a: &Node, b_text: &str, b: &Node) -> bool {
    let head = |t: &str, n: &Node| {
        let s = &t[n.at..n.end];
        s.split(['(', '[', '{'])
            .next()
            .unwrap_or("")
            .trim()
            .to_string()
    };
    head(a_text, a) == head(b_text, b)
}

/// The edit that adds `name: value` to the struct `node` of the user's text, after its
/// last field (or as its first): on a line of its own, indented like the last field, when
/// the fields are one per line; else on the same line.
fn insert_field(
    user: &str,
    node: &Node,
    fields: &[(String, usize, Node)],
    name: &str,
    value: &str,
) -> Option<Edit> {
    let value = compact(value);
    match fields.last() {
        Some((_, name_at, last)) => {
            // After the last value, and after its comma if it has one.
            let bytes = user.as_bytes();
            let mut i = last.end;
            while i < bytes.len() && (bytes[i] == b' ' || bytes[i] == b'\t') {
                i += 1;
            }
            let comma = bytes.get(i) == Some(&b',');
            let line_start = user[..*name_at].rfind('\n').map_or(0, |p| p + 1);
            let indent = &user[line_start..*name_at];
            let own_line = indent.chars().all(char::is_whitespace);
            Some(match (own_line, comma) {
                (true, true) => (i + 1, i + 1, format!("\n{indent}{name}: {value},")),
                (true, false) => (last.end, last.end, format!(",\n{indent}{name}: {value},")),
                (false, true) => (i + 1, i + 1, format!(" {name}: {value},")),
                (false, false) => (last.end, last.end, format!(", {name}: {value}")),
            })
        }
        None => {
            let open = user[node.at..node.end].find('(')? + node.at + 1;
            Some((open, open, format!("{name}: {value}")))
        }
    }
}

/// A value the serializer wrote over several lines, on one: `(\n  a: 1,\n)` -> `(a: 1)`.
fn compact(value: &str) -> String {
    let mut out = String::new();
    for line in value.lines() {
        let t = line.trim();
        if t.is_empty() {
            continue;
        }
        let glue = !(out.is_empty() || out.ends_with(['(', '[']) || t.starts_with([')', ']']));
        if glue {
            out.push(' ');
        }
        out.push_str(t);
    }
    out.replace(",)", ")").replace(",]", "]")
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = r#"// A scenario: comments with pools: [ and target: are skipped.
(
    name: "x (with parens)",
    pools: [
        (name: "web", size: (min: 2, max: 4)),
        (
            name: "api",
            /* autoscale: Nope */
            autoscale: Combined([
                TargetTracking(metric: Cpu, target: 0.6),
                Backlog(per_instance: -1),
            ]),
            billing: Some((minimum_secs: 60)),
        ),
    ],
    workload: (rate: Constant(per_sec: 5), tags: {"a": 1, "b": 2}),
)"#;

    fn at(path: &str) -> Option<(usize, usize)> {
        locate_path(TEXT, &FieldPath::parse(path))
    }

    #[test]
    fn fields_and_list_elements_are_found_by_their_path() {
        // Line 5 is the first pool; `max` sits at column 38 of it.
        assert_eq!(at("pools[0].size.max"), Some((5, 38)));
        assert_eq!(at("pools[1].name"), Some((7, 13)));
        // Through the variant names Combined(...) and Backlog(...).
        assert_eq!(at("pools[1].autoscale[1].per_instance"), Some((11, 25)));
        assert_eq!(at("pools[1].autoscale[0].target"), Some((10, 45)));
        // Through Some(...).
        assert_eq!(at("pools[1].billing.minimum_secs"), Some((13, 28)));
        assert_eq!(at("workload.rate.per_sec"), Some((16, 31)));
        assert_eq!(at("workload.tags.b"), Some((16, 59)));
    }

    #[test]
    fn a_field_written_under_its_other_name_is_found() {
        // `services:` is another name for `pools:`, `entry:` for `pool:`.
        let text = "(\n  services: [\n    (name: \"db\", shards: (count: 0)),\n  ],\n  workload: (classes: [(name: \"x\", entry: \"db\")]),\n)";
        let at = |p: &str| locate_path(text, &FieldPath::parse(p));
        assert_eq!(at("pools[0].shards.count"), Some((3, 27)));
        assert_eq!(at("workload.classes[0].pool"), Some((5, 36)));
    }

    #[test]
    fn a_path_not_written_out_points_at_its_deepest_written_part() {
        // `scale_in_delay_secs` is left to its default: the policy is reported.
        assert_eq!(
            at("pools[1].autoscale[1].scale_in_delay_secs"),
            Some((11, 17))
        );
        // A pool without `autoscale`: the pool itself.
        assert_eq!(at("pools[0].autoscale.target"), Some((5, 9)));
        // The root.
        assert_eq!(at(""), Some((2, 1)));
    }

    #[test]
    fn broken_text_gives_none_instead_of_a_wrong_place() {
        assert_eq!(locate_path("(a: [1, 2", &FieldPath::parse("a[1]")), None);
        assert_eq!(locate_path("", &FieldPath::parse("a")), None);
    }

    #[test]
    fn a_patch_rewrites_only_what_changed() {
        // The author omitted `initial` and commented `max`; the serializer writes both.
        let user =
            "(\n    // the web tier\n    size: (min: 2, max: 40), // peak\n    name: \"w\",\n)";
        let base = "(name: \"w\", size: (min: 2, max: 40, initial: 2))";
        let new = "(name: \"w\", size: (min: 2, max: 41, initial: 2))";
        assert_eq!(
            patch(user, base, new).unwrap(),
            "(\n    // the web tier\n    size: (min: 2, max: 41), // peak\n    name: \"w\",\n)"
        );
        // A field the author left out and the edit set is added to its parent.
        let new = "(name: \"w\", size: (min: 2, max: 40, initial: 5))";
        assert_eq!(
            patch(user, base, new).unwrap(),
            "(\n    // the web tier\n    size: (min: 2, max: 40, initial: 5), // peak\n    name: \"w\",\n)"
        );
        // A variant switched is replaced whole.
        let user = "(policy: TargetTracking(target: 0.6) /* fast */)";
        let base = "(policy: TargetTracking(target: 0.6))";
        let new = "(policy: Hpa(target: 0.5))";
        assert_eq!(
            patch(user, base, new).unwrap(),
            "(policy: Hpa(target: 0.5) /* fast */)"
        );
        // A raw identifier is a word, not the start of a raw string.
        assert_eq!(
            patch(
                "(burst: r#None, n: 1)",
                "(burst: r#None, n: 1)",
                "(burst: r#None, n: 2)"
            )
            .unwrap(),
            "(burst: r#None, n: 2)"
        );
        // Nothing changed: the text as it was.
        assert_eq!(patch(user, base, base).unwrap(), user);
    }
}
