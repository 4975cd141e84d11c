//! Where elements are: an index from `SourceCodeInfo` paths to 1-based spans, with columns counted
//! in characters when the source text is known (protox records byte columns).

use std::sync::OnceLock;

use prost_reflect::FileDescriptor;
use prost_types::source_code_info::Location;
use prost_types::SourceCodeInfo;

use crate::editions::ColumnMap;
use crate::finding::Span;

/// Where a file's `SourceCodeInfo` comes from.
pub enum SourceInfo {
    /// The file has none (a descriptor set built without it).
    Missing,
    /// The pool's copy of the file kept it (descriptor sets, protoguard's bundled files).
    Pool(FileDescriptor),
    /// Parsed again from the source text (see [`crate::compile::parse_source_info`]).
    Parsed(SourceCodeInfo),
}

impl SourceInfo {
    fn get(&self) -> Option<&SourceCodeInfo> {
        match self {
            SourceInfo::Missing => None,
            SourceInfo::Pool(file) => file.file_descriptor_proto().source_code_info.as_ref(),
            SourceInfo::Parsed(info) => Some(info),
        }
    }
}

/// Spans of one file, keyed by descriptor path, with the source info they come from (whose
/// locations also hold the comments).
pub struct SpanIndex {
    info: SourceInfo,
    /// The span of each path's first location and that location's index in `SourceCodeInfo`,
    /// sorted by the location's path (paths are compared in place, never copied; the paths
    /// below a path follow it).
    spans: Vec<([i32; 4], u32)>,
    /// Byte offset of each line of the source text, computed on the first lookup that has text:
    /// converting a column then costs one slice, not a scan of the file.
    line_starts: OnceLock<Vec<usize>>,
}

// Field numbers in FileDescriptorProto used to anchor file-level findings.
const FILE_PACKAGE: i32 = 2;
const FILE_SYNTAX: i32 = 12;

impl SpanIndex {
    /// Indexes a file's source info (an empty index without one). `map` is the column map of a
    /// lowered editions file: its spans are in the lowered text and are mapped back onto the
    /// original here, once.
    pub fn new(info: SourceInfo, map: Option<&ColumnMap>) -> Self {
        let mut spans = Vec::new();
        let map = map.filter(|m| !m.is_empty());
        if let Some(info) = info.get() {
            let locations = &info.location;
            spans.reserve(locations.len());
            for (index, location) in locations.iter().enumerate() {
                let mut span = match location.span[..] {
                    [line, col, end_col] => [line, col, line, end_col],
                    [line, col, end_line, end_col] => [line, col, end_line, end_col],
                    _ => continue,
                };
                if let Some(map) = map {
                    span[1] =
                        map.original_column(span[0].max(0) as u32, span[1].max(0) as u32) as i32;
                    span[3] =
                        map.original_column(span[2].max(0) as u32, span[3].max(0) as u32) as i32;
                }
                spans.push((span, index as u32));
            }
            // Stable: the first location recorded for a path (the whole declaration) stays
            // first among its equals, and is the one kept.
            spans.sort_by(|a, b| {
                locations[a.1 as usize]
                    .path
                    .cmp(&locations[b.1 as usize].path)
            });
            spans.dedup_by(|later, first| {
                locations[later.1 as usize].path == locations[first.1 as usize].path
            });
        }
        SpanIndex {
            info,
            spans,
            line_starts: OnceLock::new(),
        }
    }

    fn path_of(&self, entry: &([i32; 4], u32)) -> &[i32] {
        self.info
            .get()
            .map_or(&[], |info| &info.location[entry.1 as usize].path)
    }

    /// The span and location index of a path's first location.
    fn find(&self, path: &[i32]) -> Option<&([i32; 4], u32)> {
        let at = self
            .spans
            .binary_search_by(|entry| self.path_of(entry).cmp(path))
            .ok()?;
        self.spans.get(at)
    }

    /// The first location of `path` (the declaration, which holds its comments).
    pub fn location(&self, path: &[i32]) -> Option<&Location> {
        let &(_, index) = self.find(path)?;
        self.info.get()?.location.get(index as usize)
    }

    /// Every location of the file, in `SourceCodeInfo` order (none without source info).
    pub fn locations(&self) -> &[Location] {
        self.info.get().map_or(&[], |info| &info.location)
    }

    /// The byte range of a path's span in `text` (the original text of the file).
    pub fn byte_range(&self, path: &[i32], text: &str) -> Option<(usize, usize)> {
        let [line, col, end_line, end_col] = self.find(path)?.0;
        let starts = self.line_starts(text);
        let offset = |line: i32, col: i32| -> Option<usize> {
            let start = *starts.get(line.max(0) as usize)?;
            Some((start + col.max(0) as usize).min(text.len()))
        };
        Some((offset(line, col)?, offset(end_line, end_col)?))
    }

    fn line_starts(&self, text: &str) -> &[usize] {
        self.line_starts.get_or_init(|| {
            std::iter::once(0)
                .chain(text.match_indices('\n').map(|(i, _)| i + 1))
                .collect()
        })
    }

    pub fn get(&self, path: &[i32], text: Option<&str>) -> Option<Span> {
        let (raw, _) = self.find(path)?;
        Some(self.convert(raw, text))
    }

    /// The first span (in the text) of a path strictly below `path`, for the rare lookups where
    /// `path` itself was not recorded: the paths below it are one run of the sorted index.
    pub fn first_below(&self, path: &[i32], text: Option<&str>) -> Option<Span> {
        let start = self
            .spans
            .partition_point(|entry| self.path_of(entry) <= path);
        self.spans[start..]
            .iter()
            .take_while(|entry| self.path_of(entry).starts_with(path))
            .map(|(span, _)| span)
            .min_by_key(|span| (span[0], span[1]))
            .map(|raw| self.convert(raw, text))
    }

    /// A 0-based line and byte column as a 1-based span, counting columns in characters when
    /// the text is known.
    fn convert(&self, raw: &[i32; 4], text: Option<&str>) -> Span {
        let [line, col, end_line, end_col] = *raw;
        let column = |line: i32, col: i32| -> u32 {
            let byte_col = col.max(0) as usize;
            let char_col = text
                .and_then(|t| {
                    let starts = self.line_starts(t);
                    let start = *starts.get(line.max(0) as usize)?;
                    let end = starts
                        .get(line.max(0) as usize + 1)
                        .map_or(t.len(), |next| next - 1);
                    t.get(start..(start + byte_col).min(end))
                })
                .map_or(byte_col, |prefix| prefix.chars().count());
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
    pub fn file_anchor(&self, text: Option<&str>) -> Option<Span> {
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
