//! Where elements are: an index from `SourceCodeInfo` paths to 1-based spans, with columns counted
//! in characters when the source text is known (protox records byte columns).
//!
//! The index is compact: a file's `SourceCodeInfo` is copied into one arena of path elements, one
//! arena of comment text and fixed-size records, then dropped. A `Location` of prost-types is
//! about 200 bytes in five heap blocks; a record here is 28 bytes plus its path, so a lint that
//! locates findings in every file of a large tree keeps all of its indexes (see issue 9's
//! measurements in bench/README.md).

use std::sync::OnceLock;

use prost_types::SourceCodeInfo;

use crate::editions::ColumnMap;
use crate::finding::Span;

/// One `SourceCodeInfo` location: its span (0-based line, byte column, end line, end column, in
/// the original text), its path (a range of [`SpanIndex::paths`]) and its comments (an index into
/// [`SpanIndex::comments`], or `NONE`).
#[derive(Clone, Copy)]
struct Record {
    span: [i32; 4],
    path_start: u32,
    path_len: u32,
    comments: u32,
}

/// The comments of one location: ranges of [`SpanIndex::text`]; `detached` is a range of
/// [`SpanIndex::detached`].
#[derive(Clone, Copy)]
struct Comments {
    leading: Option<(u32, u32)>,
    trailing: Option<(u32, u32)>,
    detached: (u32, u32),
}

const NONE: u32 = u32::MAX;

/// The comments recorded at one location (see [`SpanIndex::comments`]).
pub struct LocationComments<'a> {
    /// The location's path (after option paths were resolved).
    pub path: &'a [i32],
    pub leading: Option<&'a str>,
    pub trailing: Option<&'a str>,
    pub leading_detached: Vec<&'a str>,
}

/// Spans and comments of one file, keyed by descriptor path.
#[derive(Default)]
pub struct SpanIndex {
    /// The path elements of every record, one after the other.
    paths: Vec<i32>,
    /// Every location, in `SourceCodeInfo` order.
    records: Vec<Record>,
    /// The record of each path's first location (the whole declaration, which holds its
    /// comments), sorted by path: the paths below a path follow it. Empty until
    /// [`SpanIndex::finish`].
    sorted: Vec<u32>,
    comments: Vec<Comments>,
    detached: Vec<(u32, u32)>,
    text: String,
    /// Byte offset of each line of the source text, computed on the first lookup that has text:
    /// converting a column then costs one slice, not a scan of the file.
    line_starts: OnceLock<Vec<u32>>,
}

// Field numbers in FileDescriptorProto used to anchor file-level findings.
const FILE_PACKAGE: i32 = 2;
const FILE_SYNTAX: i32 = 12;

impl SpanIndex {
    /// Indexes a file's source info (an empty index without one). `map` is the column map of a
    /// lowered editions file: its spans are in the lowered text and are mapped back onto the
    /// original here, once.
    pub fn new(info: Option<&SourceCodeInfo>, map: Option<&ColumnMap>) -> Self {
        let mut index = SpanIndex::unsorted(info, map, true);
        index.finish();
        index
    }

    /// [`SpanIndex::new`] without the sorting, for an index whose option paths are moved
    /// ([`SpanIndex::move_paths`]) before [`SpanIndex::finish`] makes it searchable. Without
    /// `comments` the index keeps spans only (and reports no comments), for a check that reads
    /// none in this file.
    pub fn unsorted(
        info: Option<&SourceCodeInfo>,
        map: Option<&ColumnMap>,
        comments: bool,
    ) -> Self {
        let mut index = SpanIndex::default();
        let Some(info) = info else {
            return index;
        };
        let map = map.filter(|m| !m.is_empty());
        index.records.reserve(info.location.len());
        index
            .paths
            .reserve(info.location.iter().map(|l| l.path.len()).sum());
        for location in &info.location {
            let mut span = match location.span[..] {
                [line, col, end_col] => [line, col, line, end_col],
                [line, col, end_line, end_col] => [line, col, end_line, end_col],
                _ => continue,
            };
            if let Some(map) = map {
                span[1] = map.original_column(span[0].max(0) as u32, span[1].max(0) as u32) as i32;
                span[3] = map.original_column(span[2].max(0) as u32, span[3].max(0) as u32) as i32;
            }
            let path_start = index.paths.len() as u32;
            index.paths.extend_from_slice(&location.path);
            let has_comments = comments
                && (location.leading_comments.is_some()
                    || location.trailing_comments.is_some()
                    || !location.leading_detached_comments.is_empty());
            let comments = match has_comments {
                true => {
                    let leading = location.leading_comments.as_deref();
                    let leading = leading.map(|c| index.push_text(c));
                    let trailing = location.trailing_comments.as_deref();
                    let trailing = trailing.map(|c| index.push_text(c));
                    let first = index.detached.len() as u32;
                    for comment in &location.leading_detached_comments {
                        let range = index.push_text(comment);
                        index.detached.push(range);
                    }
                    index.comments.push(Comments {
                        leading,
                        trailing,
                        detached: (first, index.detached.len() as u32),
                    });
                    index.comments.len() as u32 - 1
                }
                false => NONE,
            };
            index.records.push(Record {
                span,
                path_start,
                path_len: location.path.len() as u32,
                comments,
            });
        }
        index
    }

    fn push_text(&mut self, comment: &str) -> (u32, u32) {
        let start = self.text.len() as u32;
        self.text.push_str(comment);
        (start, self.text.len() as u32)
    }

    /// Replaces the path of every location for which `moved` gives a new one (an uninterpreted
    /// option's path by the option it resolved to: see [`crate::compile::parse_spans`]).
    pub fn move_paths(&mut self, mut moved: impl FnMut(&[i32]) -> Option<Vec<i32>>) {
        for record in &mut self.records {
            let start = record.path_start as usize;
            let path = &self.paths[start..start + record.path_len as usize];
            if let Some(to) = moved(path) {
                record.path_start = self.paths.len() as u32;
                record.path_len = to.len() as u32;
                self.paths.extend_from_slice(&to);
            }
        }
    }

    /// Sorts the index by path, keeping each path's first location (the declaration).
    pub fn finish(&mut self) {
        let mut sorted: Vec<u32> = (0..self.records.len() as u32).collect();
        // Stable: the first location recorded for a path stays first among its equals.
        sorted.sort_by(|&a, &b| self.path(a).cmp(self.path(b)));
        sorted.dedup_by(|later, first| self.path(*later) == self.path(*first));
        self.sorted = sorted;
        self.paths.shrink_to_fit();
        self.text.shrink_to_fit();
    }

    /// Every path's first location: the path and its raw span, in path order (for tests that
    /// compare indexes built two ways).
    #[cfg(test)]
    pub fn entries(&self) -> Vec<(Vec<i32>, [i32; 4])> {
        let sorted = self.sorted.iter();
        sorted
            .map(|&r| (self.path(r).to_vec(), self.records[r as usize].span))
            .collect()
    }

    fn path(&self, record: u32) -> &[i32] {
        let record = &self.records[record as usize];
        let start = record.path_start as usize;
        &self.paths[start..start + record.path_len as usize]
    }

    fn text(&self, (start, end): (u32, u32)) -> &str {
        &self.text[start as usize..end as usize]
    }

    /// The first location of a path.
    fn find(&self, path: &[i32]) -> Option<&Record> {
        let at = self
            .sorted
            .binary_search_by(|&record| self.path(record).cmp(path))
            .ok()?;
        Some(&self.records[self.sorted[at] as usize])
    }

    /// The leading comment of a path's first location (the declaration's doc comment):
    /// `None` when the path has no location, `Some(None)` when it has no leading comment.
    pub fn leading_comment(&self, path: &[i32]) -> Option<Option<&str>> {
        let record = self.find(path)?;
        Some(
            self.comments
                .get(record.comments as usize)
                .and_then(|c| c.leading)
                .map(|range| self.text(range)),
        )
    }

    /// Every location that has comments, in `SourceCodeInfo` order.
    pub fn comments(&self) -> impl Iterator<Item = LocationComments<'_>> {
        let records = self.records.iter().enumerate();
        records.filter_map(|(i, record)| {
            let comments = self.comments.get(record.comments as usize)?;
            let (first, end) = comments.detached;
            Some(LocationComments {
                path: self.path(i as u32),
                leading: comments.leading.map(|r| self.text(r)),
                trailing: comments.trailing.map(|r| self.text(r)),
                leading_detached: self.detached[first as usize..end as usize]
                    .iter()
                    .map(|&r| self.text(r))
                    .collect(),
            })
        })
    }

    /// The byte range of a path's span in `text` (the original text of the file).
    pub fn byte_range(&self, path: &[i32], text: &[u8]) -> Option<(usize, usize)> {
        let [line, col, end_line, end_col] = self.find(path)?.span;
        let starts = self.line_starts(text);
        let offset = |line: i32, col: i32| -> Option<usize> {
            let start = *starts.get(line.max(0) as usize)? as usize;
            Some((start + col.max(0) as usize).min(text.len()))
        };
        Some((offset(line, col)?, offset(end_line, end_col)?))
    }

    /// Byte offsets of the lines of `text` (u32: protox reads no source of 4 GiB).
    fn line_starts(&self, text: &[u8]) -> &[u32] {
        self.line_starts.get_or_init(|| {
            let ends = text.iter().enumerate().filter(|(_, b)| **b == b'\n');
            std::iter::once(0)
                .chain(ends.map(|(i, _)| i as u32 + 1))
                .collect()
        })
    }

    /// The span recorded at `path` (its first location), with columns counted in characters
    /// of `text` (the file's source, UTF-8 since it compiled) when it is given.
    pub fn get(&self, path: &[i32], text: Option<&[u8]>) -> Option<Span> {
        let record = self.find(path)?;
        Some(self.convert(&record.span, text))
    }

    /// The first span (in the text) of a path strictly below `path`, for the rare lookups where
    /// `path` itself was not recorded: the paths below it are one run of the sorted index.
    pub fn first_below(&self, path: &[i32], text: Option<&[u8]>) -> Option<Span> {
        let start = self.sorted.partition_point(|&r| self.path(r) <= path);
        self.sorted[start..]
            .iter()
            .take_while(|&&r| self.path(r).starts_with(path))
            .map(|&r| &self.records[r as usize].span)
            .min_by_key(|span| (span[0], span[1]))
            .map(|raw| self.convert(raw, text))
    }

    /// A 0-based line and byte column as a 1-based span, counting columns in characters when
    /// the text is known. The text is UTF-8 (the file compiled), so a line's characters are its
    /// bytes that do not continue a multi-byte sequence: no validation per lookup (a check
    /// locates thousands of findings, each in a file of kilobytes).
    fn convert(&self, raw: &[i32; 4], text: Option<&[u8]>) -> Span {
        let [line, col, end_line, end_col] = *raw;
        let column = |line: i32, col: i32| -> u32 {
            let byte_col = col.max(0) as usize;
            let char_col = text
                .and_then(|t| {
                    let starts = self.line_starts(t);
                    let start = *starts.get(line.max(0) as usize)? as usize;
                    let end = starts
                        .get(line.max(0) as usize + 1)
                        .map_or(t.len(), |&next| next as usize - 1);
                    t.get(start..(start + byte_col).min(end))
                })
                .map_or(byte_col, |prefix| {
                    prefix.iter().filter(|&&b| b & 0xC0 != 0x80).count()
                });
            char_col as u32 + 1
        };
        Span {
            start_line: line as u32 + 1,
            start_column: column(line, col),
            end_line: end_line as u32 + 1,
            end_column: column(end_line, end_col),
        }
    }

    /// Where a file-level finding goes: the `package` statement, else `syntax`, else line 1.
    pub fn file_anchor(&self, text: Option<&[u8]>) -> Option<Span> {
        self.get(&[FILE_PACKAGE], text)
            .or_else(|| self.get(&[FILE_SYNTAX], text))
            .or(Some(Span {
                start_line: 1,
                start_column: 1,
                end_line: 1,
                end_column: 1,
            }))
    }
}

#[cfg(test)]
mod tests {
    use prost_types::source_code_info::Location;
    use prost_types::SourceCodeInfo;

    use super::SpanIndex;
    use crate::finding::Span;

    #[test]
    fn columns_count_characters_not_bytes() {
        // `É` is two bytes: `message` starts at byte 19 of line 2 and is its 19th character.
        let text = "// é → ü\nenum É { X = 0; } message M {}\n";
        let info = SourceCodeInfo {
            location: vec![Location {
                path: vec![4, 0],
                span: vec![1, 19, 31],
                ..Location::default()
            }],
        };
        let index = SpanIndex::new(Some(&info), None);
        let span = |text| index.get(&[4, 0], text).expect("recorded");
        let want = Span {
            start_line: 2,
            start_column: 19,
            end_line: 2,
            end_column: 31,
        };
        assert_eq!(span(Some(text.as_bytes())), want);
        // Without the text, columns stay bytes (one more before and after the `É`).
        let bytes = Span {
            start_column: 20,
            end_column: 32,
            ..want
        };
        assert_eq!(span(None), bytes);
    }
}
