//! Secret fields: stored, never returned; an update that leaves one blank keeps the old value.

use super::KindDescription;
use serde_json::Value;

/// What a set secret looks like when a configuration is returned.
pub const SECRET_MASK: &str = "******";

/// Replaces every set secret of `config` with [`SECRET_MASK`].
pub fn mask_secrets(description: &KindDescription, config: &mut Value) {
    let Some(object) = config.as_object_mut() else {
        return;
    };
    for field in description.fields.iter().filter(|f| f.secret) {
        if let Some(value) = object.get_mut(&field.name)
            && !value.is_null()
        {
            *value = Value::String(SECRET_MASK.into());
        }
    }
}

/// For an update: a secret submitted blank, absent or as [`SECRET_MASK`] keeps its `stored`
/// value.
pub fn merge_secrets(description: &KindDescription, stored: &Value, submitted: &mut Value) {
    let Some(object) = submitted.as_object_mut() else {
        return;
    };
    for field in description.fields.iter().filter(|f| f.secret) {
        let keep = match object.get(&field.name) {
            None | Some(Value::Null) => true,
            Some(Value::String(s)) => s.is_empty() || s == SECRET_MASK,
            Some(_) => false,
        };
        if keep {
            match stored.get(&field.name) {
                Some(old) if !old.is_null() => {
                    object.insert(field.name.clone(), old.clone());
                }
                _ => {
                    object.remove(&field.name);
                }
            }
        }
    }
}
