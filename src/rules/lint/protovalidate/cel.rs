//! Custom CEL rules (`cel` and `cel_expression` on fields and messages): ids that are malformed
//! or repeated, empty expressions, and expressions that do not parse. (A rule without an id is
//! accepted, as buf 1.75 accepts it.)
//!
//! Expressions are parsed with the `cel` crate (the cel-rust project's parser, a port of
//! cel-go's grammar). It has no type checker, so what buf finds by type-checking against the
//! message (an unknown field, a result that is neither bool nor string) is not found here.

use std::collections::BTreeMap;

use super::super::LintCtx;
use super::scope::Scope;
use super::wire::Msg;

/// `Rule.id`, `.message`, `.expression`.
const ID: u32 = 1;
const EXPRESSION: u32 = 3;

/// Checks the `Rule`s of field `rules_number` and the bare expressions of field
/// `expressions_number` in `rules`.
pub fn check(
    ctx: &mut LintCtx,
    scope: &Scope,
    rules: &Msg,
    rules_number: u32,
    expressions_number: u32,
) {
    let name = scope.rule("cel");
    let mut ids: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (index, rule) in rules.messages(rules_number).iter().enumerate() {
        let sub = [rules_number as i32, index as i32];
        let id = rule.string(ID).unwrap_or_default();
        if let Some(bad) = id
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.')))
        {
            scope.report(
                ctx,
                &sub,
                &format!("cel[{id}]"),
                format!(
                    "{} has a {name} id \"{id}\" with the character \"{bad}\"; ids may only use a-z, A-Z, 0-9, \".\", \"_\" and \"-\".",
                    scope.subject
                ),
            );
        }
        if !id.is_empty() {
            ids.entry(id.clone()).or_default().push(index);
        }
        let expression = rule.string(EXPRESSION).unwrap_or_default();
        expression_problems(ctx, scope, &sub, &name, index, &expression);
    }
    for (index, expression) in rules.all_bytes(expressions_number).iter().enumerate() {
        let sub = [expressions_number as i32, index as i32];
        let expression = String::from_utf8_lossy(expression);
        let name = scope.rule("cel_expression");
        expression_problems(ctx, scope, &sub, &name, index, &expression);
    }
    for (id, indexes) in ids {
        if indexes.len() < 2 {
            continue;
        }
        for &index in &indexes[1..] {
            scope.report(
                ctx,
                &[rules_number as i32, index as i32],
                &format!("cel[{id}]#duplicate"),
                format!(
                    "{} has {} {name} rules with the id \"{id}\"; ids must be unique within the element, or violations cannot be told apart.",
                    scope.subject,
                    indexes.len()
                ),
            );
        }
    }
}

fn expression_problems(
    ctx: &mut LintCtx,
    scope: &Scope,
    sub: &[i32],
    name: &str,
    index: usize,
    expression: &str,
) {
    let detail = format!("{}[{index}]", name.rsplit('.').next().unwrap_or(name));
    if expression.trim().is_empty() {
        scope.report(
            ctx,
            sub,
            &detail,
            format!(
                "{} has a {name} rule with an empty expression.",
                scope.subject
            ),
        );
        return;
    }
    if let Err(errors) = cel::parser::Parser::new().parse(expression) {
        let problems: Vec<String> = errors
            .errors
            .iter()
            .map(|e| format!("{} (line {}, column {})", e.msg, e.pos.0, e.pos.1 + 1))
            .collect();
        // The parser quotes tokens with single quotes; protoguard's messages use double.
        let problems = problems.join("; ").replace('\'', "\"");
        scope.report(
            ctx,
            sub,
            &detail,
            format!(
                "{} has a {name} expression that does not parse: {problems}.",
                scope.subject
            ),
        );
    }
}
