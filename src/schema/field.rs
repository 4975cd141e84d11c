//! Fields and extension fields seen the same way. prost-reflect has two types for them with the
//! same shape; an extension is a field of the message it extends, declared elsewhere, and every
//! field rule (name, JSON name, type, cardinality, default, options) applies to it too. Rules and
//! [`resolved`](super::resolved) read fields through [`FieldLike`]; pairs hand rules an
//! [`AnyField`].

use prost_reflect::{
    Cardinality, ExtensionDescriptor, FieldDescriptor, FileDescriptor, Kind, MessageDescriptor,
    OneofDescriptor, Value,
};
use prost_types::FieldDescriptorProto;

use super::Element;
use crate::editions::{Edition, Features};

/// What a field and an extension field have in common; the methods mean what prost-reflect's
/// methods of the same name mean.
pub trait FieldLike: Element {
    fn name(&self) -> &str;
    /// `acme.v1.User.email` for a field; `acme.v1.priority` for an extension (its scope, not the
    /// message it extends).
    fn full_name(&self) -> &str;
    fn number(&self) -> u32;
    /// The JSON key: for an extension, its full name in brackets (`[acme.v1.priority]`).
    fn json_name(&self) -> &str;
    fn kind(&self) -> Kind;
    fn cardinality(&self) -> Cardinality;
    fn is_list(&self) -> bool;
    fn is_map(&self) -> bool;
    fn is_group(&self) -> bool;
    fn is_packed(&self) -> bool;
    fn supports_presence(&self) -> bool;
    fn field_descriptor_proto(&self) -> &FieldDescriptorProto;
    fn parent_file(&self) -> FileDescriptor;
    fn default_value(&self) -> Value;
    /// The message whose data holds the field: for an extension, the extended message.
    fn containing_message(&self) -> MessageDescriptor;
    /// Extensions are never in a oneof.
    fn containing_oneof(&self) -> Option<OneofDescriptor>;
    fn is_extension(&self) -> bool;
    /// The resolved features in a file of `edition`: an extension's come from the scope that
    /// declares it, not from the message it extends.
    fn features(&self, edition: Edition) -> Features;
}

macro_rules! delegate {
    ($ty:ty, $containing:expr, $oneof:expr, $extension:expr, $features:path) => {
        impl FieldLike for $ty {
            fn name(&self) -> &str {
                <$ty>::name(self)
            }
            fn full_name(&self) -> &str {
                <$ty>::full_name(self)
            }
            fn number(&self) -> u32 {
                <$ty>::number(self)
            }
            fn json_name(&self) -> &str {
                <$ty>::json_name(self)
            }
            fn kind(&self) -> Kind {
                <$ty>::kind(self)
            }
            fn cardinality(&self) -> Cardinality {
                <$ty>::cardinality(self)
            }
            fn is_list(&self) -> bool {
                <$ty>::is_list(self)
            }
            fn is_map(&self) -> bool {
                <$ty>::is_map(self)
            }
            fn is_group(&self) -> bool {
                <$ty>::is_group(self)
            }
            fn is_packed(&self) -> bool {
                <$ty>::is_packed(self)
            }
            fn supports_presence(&self) -> bool {
                <$ty>::supports_presence(self)
            }
            fn field_descriptor_proto(&self) -> &FieldDescriptorProto {
                <$ty>::field_descriptor_proto(self)
            }
            fn parent_file(&self) -> FileDescriptor {
                <$ty>::parent_file(self)
            }
            fn default_value(&self) -> Value {
                <$ty>::default_value(self)
            }
            fn containing_message(&self) -> MessageDescriptor {
                let containing: fn(&$ty) -> MessageDescriptor = $containing;
                containing(self)
            }
            fn containing_oneof(&self) -> Option<OneofDescriptor> {
                let oneof: fn(&$ty) -> Option<OneofDescriptor> = $oneof;
                oneof(self)
            }
            fn is_extension(&self) -> bool {
                $extension
            }
            fn features(&self, edition: Edition) -> Features {
                $features(edition, self)
            }
        }
    };
}

delegate!(
    FieldDescriptor,
    |f| f.parent_message().clone(),
    FieldDescriptor::containing_oneof,
    false,
    Features::of_field
);
delegate!(
    ExtensionDescriptor,
    ExtensionDescriptor::containing_message,
    |_| None,
    true,
    Features::of_extension
);

/// A field of a message or an extension field, as field rules receive it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AnyField {
    Field(FieldDescriptor),
    Extension(ExtensionDescriptor),
}

macro_rules! either {
    ($self:ident, $f:ident => $body:expr) => {
        match $self {
            AnyField::Field($f) => $body,
            AnyField::Extension($f) => $body,
        }
    };
}

impl Element for AnyField {
    fn file(&self) -> FileDescriptor {
        either!(self, f => Element::file(f))
    }
    fn path(&self) -> &[i32] {
        either!(self, f => Element::path(f))
    }
}

impl AnyField {
    /// The field's options, extension options included.
    pub fn options(&self) -> prost_reflect::DynamicMessage {
        either!(self, f => f.options())
    }
}

impl FieldLike for AnyField {
    fn name(&self) -> &str {
        either!(self, f => FieldLike::name(f))
    }
    fn full_name(&self) -> &str {
        either!(self, f => FieldLike::full_name(f))
    }
    fn number(&self) -> u32 {
        either!(self, f => FieldLike::number(f))
    }
    fn json_name(&self) -> &str {
        either!(self, f => FieldLike::json_name(f))
    }
    fn kind(&self) -> Kind {
        either!(self, f => FieldLike::kind(f))
    }
    fn cardinality(&self) -> Cardinality {
        either!(self, f => FieldLike::cardinality(f))
    }
    fn is_list(&self) -> bool {
        either!(self, f => FieldLike::is_list(f))
    }
    fn is_map(&self) -> bool {
        either!(self, f => FieldLike::is_map(f))
    }
    fn is_group(&self) -> bool {
        either!(self, f => FieldLike::is_group(f))
    }
    fn is_packed(&self) -> bool {
        either!(self, f => FieldLike::is_packed(f))
    }
    fn supports_presence(&self) -> bool {
        either!(self, f => FieldLike::supports_presence(f))
    }
    fn field_descriptor_proto(&self) -> &FieldDescriptorProto {
        either!(self, f => FieldLike::field_descriptor_proto(f))
    }
    fn parent_file(&self) -> FileDescriptor {
        either!(self, f => FieldLike::parent_file(f))
    }
    fn default_value(&self) -> Value {
        either!(self, f => FieldLike::default_value(f))
    }
    fn containing_message(&self) -> MessageDescriptor {
        either!(self, f => FieldLike::containing_message(f))
    }
    fn containing_oneof(&self) -> Option<OneofDescriptor> {
        either!(self, f => FieldLike::containing_oneof(f))
    }
    fn is_extension(&self) -> bool {
        matches!(self, AnyField::Extension(_))
    }
    fn features(&self, edition: Edition) -> Features {
        either!(self, f => FieldLike::features(f, edition))
    }
}
