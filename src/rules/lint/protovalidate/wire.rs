//! Just enough of the protobuf wire format to read protovalidate's rules out of an element's
//! encoded options, without the `buf.validate` descriptors: the rules are read by field number,
//! so they are found whether `buf/validate/validate.proto` is in the compiled pool (the options
//! were interpreted) or not (they stayed unknown fields).

/// One field of an encoded message, by wire type.
#[derive(Debug, Clone)]
pub enum Wire {
    Varint(u64),
    Fixed64(u64),
    Fixed32(u32),
    Bytes(Vec<u8>),
}

/// A decoded message: its fields in wire order (a field may occur several times).
#[derive(Debug, Clone, Default)]
pub struct Msg {
    pub fields: Vec<(u32, Wire)>,
}

fn varint(data: &[u8], at: &mut usize) -> Option<u64> {
    let mut value = 0u64;
    for shift in (0..64).step_by(7) {
        let byte = *data.get(*at)?;
        *at += 1;
        value |= u64::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            return Some(value);
        }
    }
    None
}

fn fixed<const N: usize>(data: &[u8], at: &mut usize) -> Option<[u8; N]> {
    let bytes = data.get(*at..*at + N)?.try_into().ok()?;
    *at += N;
    Some(bytes)
}

impl Msg {
    /// Decodes a message; `None` if the bytes are not a well-formed message (groups, the
    /// deprecated wire types, are skipped over as protovalidate has none).
    pub fn decode(data: &[u8]) -> Option<Msg> {
        let mut fields = Vec::new();
        let mut at = 0;
        let mut depth = 0usize;
        while at < data.len() {
            let key = varint(data, &mut at)?;
            let number = u32::try_from(key >> 3).ok()?;
            let value = match key & 7 {
                0 => Wire::Varint(varint(data, &mut at)?),
                1 => Wire::Fixed64(u64::from_le_bytes(fixed(data, &mut at)?)),
                2 => {
                    let len = usize::try_from(varint(data, &mut at)?).ok()?;
                    let bytes = data.get(at..at.checked_add(len)?)?.to_vec();
                    at += len;
                    Wire::Bytes(bytes)
                }
                3 => {
                    depth += 1;
                    continue;
                }
                4 => {
                    depth = depth.checked_sub(1)?;
                    continue;
                }
                5 => Wire::Fixed32(u32::from_le_bytes(fixed(data, &mut at)?)),
                _ => return None,
            };
            if depth == 0 {
                fields.push((number, value));
            }
        }
        Some(Msg { fields })
    }

    /// Returns `true` if the field occurs.
    pub fn has(&self, number: u32) -> bool {
        self.fields.iter().any(|(n, _)| *n == number)
    }

    /// The field numbers that occur, in first-occurrence order, without repeats.
    pub fn numbers(&self) -> Vec<u32> {
        let mut numbers = Vec::new();
        for (n, _) in &self.fields {
            if !numbers.contains(n) {
                numbers.push(*n);
            }
        }
        numbers
    }

    fn last(&self, number: u32) -> Option<&Wire> {
        self.fields
            .iter()
            .rev()
            .find(|(n, _)| *n == number)
            .map(|(_, w)| w)
    }

    /// A varint field's last value (protobuf's last-one-wins for singular fields).
    pub fn varint(&self, number: u32) -> Option<u64> {
        match self.last(number)? {
            Wire::Varint(v) => Some(*v),
            _ => None,
        }
    }

    /// A bool field: set and true.
    pub fn flag(&self, number: u32) -> bool {
        self.varint(number).is_some_and(|v| v != 0)
    }

    /// A string or bytes field's last value.
    pub fn bytes(&self, number: u32) -> Option<&[u8]> {
        match self.last(number)? {
            Wire::Bytes(b) => Some(b),
            _ => None,
        }
    }

    /// A string field's last value (lossy for invalid UTF-8).
    pub fn string(&self, number: u32) -> Option<String> {
        self.bytes(number)
            .map(|b| String::from_utf8_lossy(b).into_owned())
    }

    /// Every value of a repeated string or bytes field, in order.
    pub fn all_bytes(&self, number: u32) -> Vec<&[u8]> {
        self.fields
            .iter()
            .filter_map(|(n, w)| match w {
                Wire::Bytes(b) if *n == number => Some(b.as_slice()),
                _ => None,
            })
            .collect()
    }

    /// A singular message field: every occurrence merged (concatenated, as protobuf merges).
    pub fn message(&self, number: u32) -> Option<Msg> {
        let parts = self.all_bytes(number);
        if parts.is_empty() {
            return None;
        }
        Msg::decode(&parts.concat())
    }

    /// Every element of a repeated message field, in order (malformed ones are skipped).
    pub fn messages(&self, number: u32) -> Vec<Msg> {
        self.all_bytes(number)
            .into_iter()
            .filter_map(Msg::decode)
            .collect()
    }

    /// Every value of a repeated scalar field of the given type, packed or not.
    pub fn scalars(&self, number: u32, ty: Scalar) -> Vec<Num> {
        let mut values = Vec::new();
        for (n, wire) in &self.fields {
            if *n != number {
                continue;
            }
            match wire {
                Wire::Bytes(packed) => {
                    let mut at = 0;
                    while at < packed.len() {
                        let one =
                            match ty.width() {
                                Width::Varint => varint(packed, &mut at).map(Wire::Varint),
                                Width::Four => fixed(packed, &mut at)
                                    .map(|b| Wire::Fixed32(u32::from_le_bytes(b))),
                                Width::Eight => fixed(packed, &mut at)
                                    .map(|b| Wire::Fixed64(u64::from_le_bytes(b))),
                            };
                        match one.and_then(|w| ty.read(&w)) {
                            Some(v) => values.push(v),
                            None => break,
                        }
                    }
                }
                other => values.extend(ty.read(other)),
            }
        }
        values
    }

    /// A singular scalar field's last value.
    pub fn scalar(&self, number: u32, ty: Scalar) -> Option<Num> {
        self.scalars(number, ty).pop()
    }
}

/// A number read from a rule: integers exactly, floating point as `f64`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Num {
    Int(i128),
    Float(f64),
}

impl std::fmt::Display for Num {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Num::Int(v) => write!(f, "{v}"),
            Num::Float(v) => write!(f, "{v}"),
        }
    }
}

/// The scalar types protovalidate's numeric rules are written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scalar {
    Int32,
    Int64,
    Uint32,
    Uint64,
    Sint32,
    Sint64,
    Fixed32,
    Fixed64,
    Sfixed32,
    Sfixed64,
    Float,
    Double,
}

enum Width {
    Varint,
    Four,
    Eight,
}

impl Scalar {
    fn width(self) -> Width {
        match self {
            Scalar::Fixed32 | Scalar::Sfixed32 | Scalar::Float => Width::Four,
            Scalar::Fixed64 | Scalar::Sfixed64 | Scalar::Double => Width::Eight,
            _ => Width::Varint,
        }
    }

    // The `as` casts are the wire format's own conversions (two's complement truncation).
    #[allow(clippy::cast_possible_truncation, clippy::cast_possible_wrap)]
    fn read(self, wire: &Wire) -> Option<Num> {
        let zigzag = |v: u64| ((v >> 1) as i64) ^ -((v & 1) as i64);
        Some(match (self, wire) {
            (Scalar::Int32, Wire::Varint(v)) => Num::Int(i128::from(*v as i64 as i32)),
            (Scalar::Int64, Wire::Varint(v)) => Num::Int(i128::from(*v as i64)),
            (Scalar::Uint32, Wire::Varint(v)) => Num::Int(i128::from(*v as u32)),
            (Scalar::Uint64, Wire::Varint(v)) => Num::Int(i128::from(*v)),
            (Scalar::Sint32, Wire::Varint(v)) => Num::Int(i128::from(zigzag(*v) as i32)),
            (Scalar::Sint64, Wire::Varint(v)) => Num::Int(i128::from(zigzag(*v))),
            (Scalar::Fixed32, Wire::Fixed32(v)) => Num::Int(i128::from(*v)),
            (Scalar::Sfixed32, Wire::Fixed32(v)) => Num::Int(i128::from(*v as i32)),
            (Scalar::Fixed64, Wire::Fixed64(v)) => Num::Int(i128::from(*v)),
            (Scalar::Sfixed64, Wire::Fixed64(v)) => Num::Int(i128::from(*v as i64)),
            (Scalar::Float, Wire::Fixed32(v)) => Num::Float(f64::from(f32::from_bits(*v))),
            (Scalar::Double, Wire::Fixed64(v)) => Num::Float(f64::from_bits(*v)),
            _ => return None,
        })
    }
}

/// Reads every occurrence of extension `number` in encoded options as one merged message.
pub fn extension(options: &[u8], number: u32) -> Option<Msg> {
    Msg::decode(options)?.message(number)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_varints_packed_and_merged_messages() {
        // field 3 (varint) = 150; field 6 packed int32 [-1, 2]; field 14 message twice.
        let mut data = vec![0x18, 0x96, 0x01];
        data.extend([0x32, 11]);
        data.extend([0xff; 9]);
        data.extend([0x01, 0x02]);
        data.extend([0x72, 2, 0x10, 5, 0x72, 2, 0x18, 3]);
        let msg = Msg::decode(&data).unwrap();
        assert_eq!(msg.varint(3), Some(150));
        assert_eq!(
            msg.scalars(6, Scalar::Int32),
            vec![Num::Int(-1), Num::Int(2)]
        );
        let merged = msg.message(14).unwrap();
        assert_eq!((merged.varint(2), merged.varint(3)), (Some(5), Some(3)));
    }

    #[test]
    fn rejects_truncated_input() {
        assert!(Msg::decode(&[0x0a, 5, 1]).is_none());
        assert!(Msg::decode(&[0x80]).is_none());
    }

    #[test]
    fn zigzag_and_fixed_widths() {
        let msg = Msg::decode(&[0x08, 0x03, 0x15, 0xfe, 0xff, 0xff, 0xff]).unwrap();
        assert_eq!(msg.scalar(1, Scalar::Sint32), Some(Num::Int(-2)));
        assert_eq!(msg.scalar(2, Scalar::Sfixed32), Some(Num::Int(-2)));
    }
}
