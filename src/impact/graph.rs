//! The reverse reference graph of one revision: for every message and enum, the messages whose
//! fields (map values and extensions included) hold it, and the RPCs whose request or response
//! it is; for every custom option of RPCs and services (an extension of
//! `google.protobuf.MethodOptions` or `ServiceOptions`, such as `(google.api.http)`), the RPCs
//! that set it. Built once per revision, only when a check has findings; walking it backwards
//! from an element finds every RPC whose data contains that element, with the shortest chain of
//! fields, and every RPC annotated with an option whose value contains it.

use std::collections::{HashMap, HashSet, VecDeque};

use prost_reflect::{DynamicMessage, Kind, MessageDescriptor, MethodDescriptor, ServiceDescriptor};

use super::{Direction, Reach};
use crate::schema::Schema;

/// One revision's references, by the full name of the referenced message or enum.
pub struct Graph {
    /// Type → (message holding a field of that type, the field's full name).
    referrers: HashMap<String, Vec<(String, String)>>,
    /// Type → the RPCs taking it as request or returning it as response.
    roots: HashMap<String, Vec<(MethodDescriptor, Direction)>>,
    /// Every service of the revision (its dependencies included), by full name.
    services: HashMap<String, ServiceDescriptor>,
    /// Option extension → the RPCs that set it, on themselves or on their service.
    annotated: HashMap<String, Vec<(MethodDescriptor, Direction)>>,
}

impl Graph {
    /// Indexes every message, extension and service of `schema`'s pool (the compiled files and
    /// their imports: every file that can refer to a compared element is among them, since the
    /// plan compiles the importers of every changed file).
    pub fn build(schema: &Schema) -> Graph {
        let pool = schema.pool();
        let mut referrers: HashMap<String, Vec<(String, String)>> = HashMap::new();
        let mut refer = |target: Option<String>, from: &MessageDescriptor, field: &str| {
            if let Some(target) = target {
                referrers
                    .entry(target)
                    .or_default()
                    .push((from.full_name().to_owned(), field.to_owned()));
            }
        };
        for message in pool.all_messages() {
            // A map entry is not a type anyone names: its value is held by the map field.
            if message.is_map_entry() {
                continue;
            }
            for field in message.fields() {
                refer(held_type(&field.kind()), &message, field.full_name());
            }
        }
        for extension in pool.all_extensions() {
            refer(
                held_type(&extension.kind()),
                &extension.containing_message(),
                extension.full_name(),
            );
        }
        let mut roots: HashMap<String, Vec<(MethodDescriptor, Direction)>> = HashMap::new();
        let mut services = HashMap::new();
        for service in pool.services() {
            for method in service.methods() {
                for (message, direction) in [
                    (method.input(), Direction::Request),
                    (method.output(), Direction::Response),
                ] {
                    roots
                        .entry(message.full_name().to_owned())
                        .or_default()
                        .push((method.clone(), direction));
                }
            }
            services.insert(service.full_name().to_owned(), service);
        }
        Graph {
            referrers,
            roots,
            annotated: annotated(&services),
            services,
        }
    }

    /// Every RPC whose request or response holds one of the messages or enums `names`, directly
    /// or through fields, with the shortest chain of fields from the RPC's message down to the
    /// nearest of them; and every RPC that sets a custom option whose value holds one. Breadth
    /// first over the reversed references from all of `names` at once, each type visited once:
    /// cycles end there and the cost is at most the size of the graph, however many names.
    pub fn reaches_types<'a>(&'a self, names: &[&'a str]) -> Vec<(MethodDescriptor, Reach)> {
        // Type → (the type one step closer to `names`, the field that holds it).
        let mut towards: HashMap<&str, Option<(&str, &str)>> = HashMap::new();
        let mut queue = VecDeque::new();
        let mut found: HashSet<(String, Direction, Option<String>)> = HashSet::new();
        let mut out = Vec::new();
        let mut reach = |method: &MethodDescriptor,
                         direction: Direction,
                         option: Option<&str>,
                         from: &str,
                         towards: &HashMap<&str, Option<(&str, &str)>>| {
            let key = (
                method.full_name().to_owned(),
                direction,
                option.map(str::to_owned),
            );
            if !found.insert(key) {
                return;
            }
            let mut via = Vec::new();
            let mut at = from;
            while let Some(Some((next, field))) = towards.get(at) {
                via.push((*field).to_owned());
                at = next;
            }
            out.push((
                method.clone(),
                Reach {
                    rpc: method.full_name().to_owned(),
                    direction,
                    option: option.map(str::to_owned),
                    via,
                    location: None,
                },
            ));
        };
        for name in names {
            if towards.insert(name, None).is_none() {
                queue.push_back(*name);
            }
        }
        while let Some(current) = queue.pop_front() {
            for (method, direction) in self.roots.get(current).into_iter().flatten() {
                reach(method, *direction, None, current, &towards);
            }
            for (from, field) in self.referrers.get(current).into_iter().flatten() {
                // `field` is an extension of an options message set on RPCs: the value of
                // the option, of type `current`, belongs to the RPC, not to its data.
                for (method, direction) in self.annotated.get(field).into_iter().flatten() {
                    reach(method, *direction, Some(field), current, &towards);
                }
                if !towards.contains_key(from.as_str()) {
                    towards.insert(from, Some((current, field)));
                    queue.push_back(from);
                }
            }
        }
        out
    }

    /// Every RPC that sets the option `extension`, on itself or on its service.
    pub fn option_users(&self, extension: &str) -> Vec<(MethodDescriptor, Reach)> {
        let users = self.annotated.get(extension).into_iter().flatten();
        users
            .map(|(method, direction)| {
                let reach = Reach {
                    rpc: method.full_name().to_owned(),
                    direction: *direction,
                    option: Some(extension.to_owned()),
                    via: Vec::new(),
                    location: None,
                };
                (method.clone(), reach)
            })
            .collect()
    }

    /// The RPC `name` itself (`acme.v1.UserService.GetUser`), when this revision has it.
    pub fn method(&self, name: &str) -> Option<MethodDescriptor> {
        let (service, method) = name.rsplit_once('.')?;
        self.services
            .get(service)?
            .methods()
            .find(|m| m.name() == method)
    }

    /// The RPCs of the service `name`, when this revision has it.
    pub fn service_methods(&self, name: &str) -> Vec<MethodDescriptor> {
        self.services
            .get(name)
            .map(|s| s.methods().collect())
            .unwrap_or_default()
    }
}

/// Option extension → the RPCs that set it: [`Direction::Option`] on the RPC, or
/// [`Direction::ServiceOption`] on its service (which then applies to each of its RPCs).
/// Options are decoded only where an RPC or service has options at all.
fn annotated(
    services: &HashMap<String, ServiceDescriptor>,
) -> HashMap<String, Vec<(MethodDescriptor, Direction)>> {
    let mut out: HashMap<String, Vec<(MethodDescriptor, Direction)>> = HashMap::new();
    let mut set = |options: DynamicMessage, method: &MethodDescriptor, direction: Direction| {
        for (extension, _) in options.extensions() {
            out.entry(extension.full_name().to_owned())
                .or_default()
                .push((method.clone(), direction));
        }
    };
    for service in services.values() {
        let service_options = service
            .service_descriptor_proto()
            .options
            .is_some()
            .then(|| service.options());
        for method in service.methods() {
            if let Some(options) = &service_options {
                set(options.clone(), &method, Direction::ServiceOption);
            }
            if method.method_descriptor_proto().options.is_some() {
                set(method.options(), &method, Direction::Option);
            }
        }
    }
    out
}

/// The message or enum a field of this kind holds (a map field: its value's), if any.
fn held_type(kind: &Kind) -> Option<String> {
    match kind {
        Kind::Message(message) if message.is_map_entry() => {
            held_type(&message.map_entry_value_field().kind())
        }
        Kind::Message(message) => Some(message.full_name().to_owned()),
        Kind::Enum(enum_) => Some(enum_.full_name().to_owned()),
        _ => None,
    }
}
