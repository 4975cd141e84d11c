//! Checks of the value rules of one type (`string`, `int32`, `duration`, …): `const` next to
//! rules it makes pointless, bounds that reject everything, lengths that contradict each other,
//! the same value both allowed and forbidden, patterns that do not compile.

use super::super::LintCtx;
use super::scope::Scope;
use super::wire::{Msg, Num, Scalar};

/// `const` with other rules: the other rules are redundant (or contradict it).
pub fn const_alone(ctx: &mut LintCtx, scope: &Scope, rules: &Msg, number: u32) {
    if rules.has(number) && rules.numbers().len() > 1 {
        scope.report(
            ctx,
            &[number as i32],
            "const",
            format!(
                "{} has {}, which allows exactly one value, so the other rules in {} are redundant; remove them.",
                scope.subject,
                scope.rule("const"),
                scope.name
            ),
        );
    }
}

/// A lower and an upper bound (`gt`/`gte` and `lt`/`lte`) that are equal. (A lower bound above
/// the upper one is not a mistake in protovalidate: it means "outside the range".)
fn bounds(ctx: &mut LintCtx, scope: &Scope, lower: Option<Bound>, upper: Option<Bound>) {
    let (Some(lower), Some(upper)) = (lower, upper) else {
        return;
    };
    if lower.value != upper.value {
        return;
    }
    let (l, u) = (scope.rule(lower.name), scope.rule(upper.name));
    let message = if lower.inclusive && upper.inclusive {
        format!(
            "{} has {l} and {u} both {}; that is one value, write {} instead.",
            scope.subject,
            lower.value,
            scope.rule("const")
        )
    } else {
        format!(
            "{} has {l} and {u} both {}, which together reject every value.",
            scope.subject, lower.value
        )
    };
    scope.report(
        ctx,
        &[lower.number as i32],
        &format!("{}#{}", lower.name, upper.name),
        message,
    );
}

#[derive(Clone, Copy)]
struct Bound {
    number: u32,
    name: &'static str,
    value: Num,
    inclusive: bool,
}

/// The bounds among `numbers` (`[lt, lte, gt, gte]` field numbers) read by `read`.
fn read_bounds(
    rules: &Msg,
    numbers: [u32; 4],
    read: impl Fn(u32) -> Option<Num>,
) -> (Option<Bound>, Option<Bound>) {
    let [lt, lte, gt, gte] = numbers;
    let bound = |number: u32, name: &'static str, inclusive: bool| {
        rules.has(number).then_some(())?;
        Some(Bound {
            number,
            name,
            value: read(number)?,
            inclusive,
        })
    };
    let lower = bound(gte, "gte", true).or_else(|| bound(gt, "gt", false));
    let upper = bound(lte, "lte", true).or_else(|| bound(lt, "lt", false));
    (lower, upper)
}

/// Numeric rules: const 1, lt 2, lte 3, gt 4, gte 5, in 6, not_in 7.
pub fn numbers(ctx: &mut LintCtx, scope: &Scope, rules: &Msg, scalar: Scalar) {
    const_alone(ctx, scope, rules, 1);
    let (lower, upper) = read_bounds(rules, [2, 3, 4, 5], |n| rules.scalar(n, scalar));
    bounds(ctx, scope, lower, upper);
    in_not_in_ints(ctx, scope, rules, 6, 7, scalar);
}

/// `google.protobuf.Duration` / `Timestamp` as nanoseconds, if well formed (seconds and nanos
/// within the type's range and of one sign).
fn time(msg: &Msg, timestamp: bool) -> Result<Num, String> {
    let seconds = msg.scalar(1, Scalar::Int64).map_or(0, |n| match n {
        Num::Int(v) => v,
        Num::Float(_) => 0,
    });
    let nanos = msg.scalar(2, Scalar::Int32).map_or(0, |n| match n {
        Num::Int(v) => v,
        Num::Float(_) => 0,
    });
    if timestamp {
        if !(-62_135_596_800..=253_402_300_799).contains(&seconds) {
            return Err(format!(
                "its seconds ({seconds}) are outside years 1 to 9999"
            ));
        }
        if !(0..1_000_000_000).contains(&nanos) {
            return Err(format!("its nanos ({nanos}) are not within 0 to 999999999"));
        }
    } else {
        if !(-315_576_000_000..=315_576_000_000).contains(&seconds) {
            return Err(format!(
                "its seconds ({seconds}) are outside the range of a duration (10,000 years)"
            ));
        }
        if nanos.abs() >= 1_000_000_000 {
            return Err(format!(
                "its nanos ({nanos}) are not within -999999999 to 999999999"
            ));
        }
        if (seconds > 0 && nanos < 0) || (seconds < 0 && nanos > 0) {
            return Err(format!(
                "its seconds ({seconds}) and nanos ({nanos}) have different signs"
            ));
        }
    }
    Ok(Num::Int(seconds * 1_000_000_000 + nanos))
}

/// Duration or timestamp bounds: each well formed, and not equal to each other.
fn times(ctx: &mut LintCtx, scope: &Scope, rules: &Msg, timestamp: bool, numbers: &[(u32, &str)]) {
    for &(number, name) in numbers {
        for value in rules.messages(number) {
            if let Err(why) = time(&value, timestamp) {
                scope.report(
                    ctx,
                    &[number as i32],
                    name,
                    format!(
                        "{} has an invalid {}: {why}.",
                        scope.subject,
                        scope.rule(name)
                    ),
                );
            }
        }
    }
}

/// Duration rules: const 2, lt 3, lte 4, gt 5, gte 6, in 7, not_in 8.
pub fn durations(ctx: &mut LintCtx, scope: &Scope, rules: &Msg) {
    const_alone(ctx, scope, rules, 2);
    let names = [
        (2, "const"),
        (3, "lt"),
        (4, "lte"),
        (5, "gt"),
        (6, "gte"),
        (7, "in"),
        (8, "not_in"),
    ];
    times(ctx, scope, rules, false, &names);
    let read = |n| rules.message(n).and_then(|m| time(&m, false).ok());
    let (lower, upper) = read_bounds(rules, [3, 4, 5, 6], read);
    bounds(ctx, scope, lower, upper);
}

/// Timestamp rules: const 2, lt 3, lte 4, gt 5, gte 6, lt_now 7, gt_now 8, within 9.
pub fn timestamps(ctx: &mut LintCtx, scope: &Scope, rules: &Msg) {
    const_alone(ctx, scope, rules, 2);
    let names = [(2, "const"), (3, "lt"), (4, "lte"), (5, "gt"), (6, "gte")];
    times(ctx, scope, rules, true, &names);
    let read = |n| rules.message(n).and_then(|m| time(&m, true).ok());
    let (lower, upper) = read_bounds(rules, [3, 4, 5, 6], read);
    bounds(ctx, scope, lower, upper);
    if rules.flag(7) && rules.flag(8) {
        scope.report(
            ctx,
            &[7],
            "lt_now#gt_now",
            format!(
                "{} has both {} and {}; no timestamp is both before and after the time of validation.",
                scope.subject,
                scope.rule("lt_now"),
                scope.rule("gt_now")
            ),
        );
    }
    if let Some(within) = rules.message(9) {
        match time(&within, false) {
            Err(why) => scope.report(
                ctx,
                &[9],
                "within",
                format!(
                    "{} has an invalid {}: {why}.",
                    scope.subject,
                    scope.rule("within")
                ),
            ),
            Ok(Num::Int(nanos)) if nanos <= 0 => scope.report(
                ctx,
                &[9],
                "within",
                format!(
                    "{} has {} of zero or less; it must be a positive duration.",
                    scope.subject,
                    scope.rule("within")
                ),
            ),
            Ok(_) => {}
        }
    }
}

/// A minimum and a maximum (lengths, item counts): minimum above maximum rejects every value;
/// equal ones are an exact count.
pub fn min_max(
    ctx: &mut LintCtx,
    scope: &Scope,
    rules: &Msg,
    (min_number, min): (u32, &str),
    (max_number, max): (u32, &str),
) {
    let (Some(low), Some(high)) = (rules.varint(min_number), rules.varint(max_number)) else {
        return;
    };
    if low > high {
        scope.report(
            ctx,
            &[min_number as i32],
            &format!("{min}#{max}"),
            format!(
                "{} has {} = {low} greater than {} = {high}, which together reject every value.",
                scope.subject,
                scope.rule(min),
                scope.rule(max)
            ),
        );
    }
}

/// Lengths: `len` with `min_len`/`max_len` (redundant), min above max, min equal to max.
fn lengths(ctx: &mut LintCtx, scope: &Scope, rules: &Msg, numbers: [(u32, &str); 3]) {
    let [(len_number, len), (min_number, min), (max_number, max)] = numbers;
    if rules.has(len_number) {
        for (number, name) in [(min_number, min), (max_number, max)] {
            if rules.has(number) {
                scope.report(
                    ctx,
                    &[number as i32],
                    name,
                    format!(
                        "{} has {}, so {} is redundant; remove it.",
                        scope.subject,
                        scope.rule(len),
                        scope.rule(name)
                    ),
                );
            }
        }
    }
    min_max(ctx, scope, rules, (min_number, min), (max_number, max));
    if let (Some(low), Some(high)) = (rules.varint(min_number), rules.varint(max_number)) {
        if low == high {
            scope.report(
                ctx,
                &[min_number as i32],
                &format!("{min}#{max}"),
                format!(
                    "{} has {} and {} both {low}; write {} = {low} instead.",
                    scope.subject,
                    scope.rule(min),
                    scope.rule(max),
                    scope.rule(len)
                ),
            );
        }
    }
}

/// String rules: const 1, len 19, min_len 2, max_len 3, len_bytes 20, min_bytes 4,
/// max_bytes 5, pattern 6, prefix 7, suffix 8, contains 9, not_contains 23, in 10, not_in 11,
/// well_known_regex 24, strict 25.
pub fn strings(ctx: &mut LintCtx, scope: &Scope, rules: &Msg) {
    const_alone(ctx, scope, rules, 1);
    lengths(
        ctx,
        scope,
        rules,
        [(19, "len"), (2, "min_len"), (3, "max_len")],
    );
    lengths(
        ctx,
        scope,
        rules,
        [(20, "len_bytes"), (4, "min_bytes"), (5, "max_bytes")],
    );
    let (min_len, max_len) = (rules.varint(2), rules.varint(3));
    let (min_bytes, max_bytes) = (rules.varint(4), rules.varint(5));
    if let (Some(min_len), Some(max_bytes)) = (min_len, max_bytes) {
        if min_len > max_bytes {
            scope.report(
                ctx,
                &[2],
                "min_len#max_bytes",
                format!(
                    "{} has {} = {min_len} but {} = {max_bytes}; {min_len} characters take at least {min_len} bytes, so no string satisfies both.",
                    scope.subject,
                    scope.rule("min_len"),
                    scope.rule("max_bytes")
                ),
            );
        }
    }
    if let (Some(max_len), Some(min_bytes)) = (max_len, min_bytes) {
        if max_len.saturating_mul(4) < min_bytes {
            scope.report(
                ctx,
                &[4],
                "min_bytes#max_len",
                format!(
                    "{} has {} = {min_bytes} but {} = {max_len}; {max_len} characters take at most {} bytes, so no string satisfies both.",
                    scope.subject,
                    scope.rule("min_bytes"),
                    scope.rule("max_len"),
                    max_len.saturating_mul(4)
                ),
            );
        }
    }
    let not_contains = rules.string(23);
    for (number, name) in [(7, "prefix"), (8, "suffix"), (9, "contains")] {
        let Some(part) = rules.string(number) else {
            continue;
        };
        let chars = part.chars().count() as u64;
        if let Some(max_len) = max_len.filter(|&m| chars > m) {
            scope.report(
                ctx,
                &[number as i32],
                name,
                format!(
                    "{} has {} \"{part}\" of {chars} characters, longer than {} = {max_len}; no string satisfies both.",
                    scope.subject,
                    scope.rule(name),
                    scope.rule("max_len")
                ),
            );
        }
        let bytes = part.len() as u64;
        if let Some(max_bytes) = max_bytes.filter(|&m| bytes > m) {
            scope.report(
                ctx,
                &[number as i32],
                &format!("{name}#max_bytes"),
                format!(
                    "{} has {} \"{part}\" of {bytes} bytes, longer than {} = {max_bytes}; no string satisfies both.",
                    scope.subject,
                    scope.rule(name),
                    scope.rule("max_bytes")
                ),
            );
        }
        if let Some(forbidden) = not_contains.as_deref().filter(|f| part.contains(f)) {
            scope.report(
                ctx,
                &[number as i32],
                &format!("{name}#not_contains"),
                format!(
                    "{} has {} \"{part}\", which contains its {} \"{forbidden}\"; no string satisfies both.",
                    scope.subject,
                    scope.rule(name),
                    scope.rule("not_contains")
                ),
            );
        }
    }
    pattern(ctx, scope, rules, 6);
    if rules.varint(25) == Some(0) && rules.varint(24).unwrap_or(0) == 0 {
        scope.report(
            ctx,
            &[25],
            "strict",
            format!(
                "{} has {} = false without {}; strict only qualifies well_known_regex.",
                scope.subject,
                scope.rule("strict"),
                scope.rule("well_known_regex")
            ),
        );
    }
    in_not_in_strings(ctx, scope, rules, 10, 11);
}

/// Bytes rules: const 1, len 13, min_len 2, max_len 3, pattern 4, prefix 5, suffix 6,
/// contains 7, in 8, not_in 9.
pub fn bytes(ctx: &mut LintCtx, scope: &Scope, rules: &Msg) {
    const_alone(ctx, scope, rules, 1);
    lengths(
        ctx,
        scope,
        rules,
        [(13, "len"), (2, "min_len"), (3, "max_len")],
    );
    let max_len = rules.varint(3);
    for (number, name) in [(5, "prefix"), (6, "suffix"), (7, "contains")] {
        let Some(part) = rules.bytes(number) else {
            continue;
        };
        let len = part.len() as u64;
        if let Some(max_len) = max_len.filter(|&m| len > m) {
            scope.report(
                ctx,
                &[number as i32],
                name,
                format!(
                    "{} has {} of {len} bytes, longer than {} = {max_len}; no value satisfies both.",
                    scope.subject,
                    scope.rule(name),
                    scope.rule("max_len")
                ),
            );
        }
    }
    pattern(ctx, scope, rules, 4);
    in_not_in_strings(ctx, scope, rules, 8, 9);
}

/// A `pattern` must be a valid RE2 expression (protovalidate's regular expression dialect).
fn pattern(ctx: &mut LintCtx, scope: &Scope, rules: &Msg, number: u32) {
    let Some(pattern) = rules.string(number) else {
        return;
    };
    if let Err(err) = regex_syntax::Parser::new().parse(&pattern) {
        let why = match &err {
            regex_syntax::Error::Parse(e) => e.kind().to_string(),
            regex_syntax::Error::Translate(e) => e.kind().to_string(),
            other => other.to_string(),
        };
        scope.report(
            ctx,
            &[number as i32],
            "pattern",
            format!(
                "{} has a {} that is not a valid regular expression: {}.",
                scope.subject,
                scope.rule("pattern"),
                why.replace('\'', "\"")
            ),
        );
    }
}

/// A value both in `in` and in `not_in`; a value listed twice in `in`.
fn in_not_in<T: PartialEq + std::fmt::Display>(
    ctx: &mut LintCtx,
    scope: &Scope,
    (allowed, forbidden): (Vec<T>, Vec<T>),
    (in_number, not_in_number): (u32, u32),
) {
    for (i, value) in allowed.iter().enumerate() {
        if allowed[..i].contains(value) {
            scope.report(
                ctx,
                &[in_number as i32],
                &format!("in#{value}"),
                format!(
                    "{} lists {value} more than once in {}.",
                    scope.subject,
                    scope.rule("in")
                ),
            );
        } else if forbidden.contains(value) {
            scope.report(
                ctx,
                &[not_in_number as i32],
                &format!("not_in#{value}"),
                format!(
                    "{} lists {value} both in {} and in {}, which contradict each other.",
                    scope.subject,
                    scope.rule("in"),
                    scope.rule("not_in")
                ),
            );
        }
    }
}

/// `in`/`not_in` of numbers (and enum numbers).
pub fn in_not_in_ints(
    ctx: &mut LintCtx,
    scope: &Scope,
    rules: &Msg,
    in_number: u32,
    not_in_number: u32,
    scalar: Scalar,
) {
    let values = (
        rules.scalars(in_number, scalar),
        rules.scalars(not_in_number, scalar),
    );
    in_not_in(ctx, scope, values, (in_number, not_in_number));
}

/// `in`/`not_in` of strings (or bytes, shown as text), quoted in messages.
pub fn in_not_in_strings(
    ctx: &mut LintCtx,
    scope: &Scope,
    rules: &Msg,
    in_number: u32,
    not_in_number: u32,
) {
    let quoted = |number| {
        rules
            .all_bytes(number)
            .into_iter()
            .map(|b| format!("\"{}\"", String::from_utf8_lossy(b).escape_debug()))
            .collect::<Vec<_>>()
    };
    let values = (quoted(in_number), quoted(not_in_number));
    in_not_in(ctx, scope, values, (in_number, not_in_number));
}
