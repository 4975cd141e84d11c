//! Accounting one commit in the walk's state: the file versions it removes and adds change
//! the live counts of what they declare, members that start or stop are dated, and a package
//! rename (an element that vanished and one that appeared, each the only candidate) is
//! followed.

use git2::Oid;

use super::{At, Blob, ElementState, FxMap, Kind, State, UNSET};

/// A member changed by the commit being accounted: counts before, and where it was declared
/// in the versions removed (`was`) and added (`now`).
struct Touch {
    element: u32,
    member: u32,
    before: u32,
    was: Option<Place>,
    now: Option<Place>,
}

/// Where and as what a file version declares a member: path, line, type, explicit JSON name.
#[derive(Clone, Copy)]
struct Place {
    path: u32,
    line: u32,
    ty: u32,
    json: u32,
}

impl State<'_> {
    /// Accounts one commit: `changes` are (path id, the new version: `None` when the file was
    /// deleted), with the interned versions in `blobs`. A path's previous version is the one
    /// counted for it before, so a version that could not be read changes nothing.
    pub fn commit(
        &mut self,
        commit: (Oid, i64),
        changes: &[(u32, Option<Oid>)],
        blobs: &FxMap<Oid, Blob>,
    ) {
        let this = self.commits.len() as u32;
        let previous = this.checked_sub(1).unwrap_or(this);
        self.commits.push(commit);
        let mut touches: Vec<Touch> = Vec::new();
        let mut element_touches: Vec<(u32, u32)> = Vec::new();
        for &(path, new) in changes {
            let counted = self.files.get(&path).copied();
            let old_blob = counted.map(|id| blobs.get(&id));
            let new_blob = new.map(|id| blobs.get(&id));
            if matches!(old_blob, Some(None)) || matches!(new_blob, Some(None)) {
                // A version that cannot be read: keep counting what was counted.
                self.unreadable += 1;
                self.first_unreadable.get_or_insert((path, this));
                continue;
            }
            if let Some(Some(old)) = old_blob {
                self.apply(old, path, false, &mut touches, &mut element_touches);
            }
            match (new, new_blob) {
                (Some(id), Some(Some(blob))) => {
                    if blob.unparsable {
                        self.unparsable += 1;
                    }
                    self.apply(blob, path, true, &mut touches, &mut element_touches);
                    self.files.insert(path, id);
                }
                _ => {
                    self.files.remove(&path);
                }
            }
        }
        let renamed = self.renames(&element_touches);
        for &(from, to) in &renamed {
            self.merge(from, to, &mut touches);
        }
        for touch in &touches {
            let element = &mut self.elements[touch.element as usize];
            if element.dead {
                continue;
            }
            let m = &mut element.members[touch.member as usize];
            m.touch = UNSET;
            let (commit, place) = match (touch.before > 0, m.live > 0) {
                // Stopped: last seen at the previous commit, where it was removed now.
                (true, false) => (previous, touch.was),
                // Started, or still declared: where it is declared now.
                (_, true) => (this, touch.now),
                (false, false) => continue,
            };
            let Some(place) = place else {
                continue;
            };
            let at = At {
                commit,
                path: place.path,
                line: place.line,
            };
            if m.first.commit == UNSET && m.live > 0 {
                m.first = at;
            }
            m.last = at;
            m.ty = place.ty;
            m.json = place.json;
        }
        for (element, _) in element_touches {
            self.elements[element as usize].touch = UNSET;
        }
    }

    /// Adds (`add`) or removes what `blob` at `path` declares to the live counts, noting each
    /// member touched.
    fn apply(
        &mut self,
        blob: &Blob,
        path: u32,
        add: bool,
        touches: &mut Vec<Touch>,
        element_touches: &mut Vec<(u32, u32)>,
    ) {
        for declared in &blob.elements {
            let e = self.element(declared.name, declared.kind);
            {
                let element = &mut self.elements[e as usize];
                if element.touch == UNSET {
                    element.touch = element_touches.len() as u32;
                    element_touches.push((e, element.live));
                }
                if add {
                    element.live += 1;
                    element.relative = declared.relative;
                    element.kind = declared.kind;
                    element
                        .reserved_ranges
                        .clone_from(&declared.reserved_ranges);
                    element.reserved_names.clone_from(&declared.reserved_names);
                } else {
                    element.live = element.live.saturating_sub(1);
                }
            }
            for dm in &declared.members {
                let i = self.member(e, dm.number, dm.name);
                let m = &mut self.elements[e as usize].members[i as usize];
                if m.touch == UNSET {
                    m.touch = touches.len() as u32;
                    touches.push(Touch {
                        element: e,
                        member: i,
                        before: m.live,
                        was: None,
                        now: None,
                    });
                }
                let touch = &mut touches[m.touch as usize];
                let place = Some(Place {
                    path,
                    line: dm.line,
                    ty: dm.ty,
                    json: dm.json,
                });
                if add {
                    m.live += 1;
                    touch.now = place;
                } else {
                    m.live = m.live.saturating_sub(1);
                    touch.was = place;
                }
            }
        }
    }

    /// Package renames: an element that vanished and one that appeared with the same relative
    /// name and kind, each the only candidate, the appeared one new to the ledger. Grouped by
    /// (relative name, kind): on a first commit every element appears.
    fn renames(&self, element_touches: &[(u32, u32)]) -> Vec<(u32, u32)> {
        let mut groups: FxMap<(u32, Kind), (Vec<u32>, Vec<u32>)> = FxMap::default();
        for &(e, before) in element_touches {
            let element = &self.elements[e as usize];
            let group = groups.entry((element.relative, element.kind)).or_default();
            match (before > 0, element.live > 0) {
                (true, false) => group.0.push(e),
                (false, true) => group.1.push(e),
                _ => {}
            }
        }
        let mut out: Vec<(u32, u32)> = groups
            .into_values()
            .filter_map(|(from, to)| match (&from[..], &to[..]) {
                ([from], [to]) => Some((*from, *to)),
                _ => None,
            })
            .filter(|&(_, to)| {
                let fresh = &self.elements[to as usize];
                fresh.former.is_empty() && fresh.members.iter().all(|m| m.first.commit == UNSET)
            })
            .collect();
        out.sort_unstable();
        out
    }

    /// Follows a rename: `from`'s history continues under `to`'s name; `to`'s members join it
    /// (one that `from` had is carried over, not restarted).
    fn merge(&mut self, from: u32, to: u32, touches: &mut [Touch]) {
        // A cached record merged away is dropped from the cache: the placeholder keeps its origin.
        let origin = self.elements[to as usize].origin;
        let fresh = std::mem::replace(&mut self.elements[to as usize], ElementState::dead(origin));
        let old_name = self.elements[from as usize].name;
        self.by_key
            .remove(&(old_name, fresh.kind == Kind::Extensions));
        self.by_key
            .insert((fresh.name, fresh.kind == Kind::Extensions), from);
        for member in fresh.members {
            self.index.remove(&(to, member.number, member.name));
            let i = self.member(from, member.number, member.name);
            let target = &mut self.elements[from as usize].members[i as usize];
            let moved = touches.get(member.touch as usize).and_then(|t| t.now);
            target.live += member.live;
            match touches.get_mut(target.touch as usize) {
                // Carried over: it stopped in `from` and goes on here.
                Some(touch) if target.touch != UNSET => touch.now = moved,
                _ => {
                    // New to `from` (or retired there before): it starts now. The touch that
                    // pointed at `to`'s copy now points here.
                    if let Some(touch) = touches.get_mut(member.touch as usize) {
                        touch.element = from;
                        touch.member = i;
                        target.touch = member.touch;
                    }
                }
            }
        }
        let element = &mut self.elements[from as usize];
        element.former.push(old_name);
        element.name = fresh.name;
        element.relative = fresh.relative;
        element.kind = fresh.kind;
        element.live = fresh.live;
        element.reserved_ranges = fresh.reserved_ranges;
        element.reserved_names = fresh.reserved_names;
    }
}
