//! Self-describing channel configuration. A channel kind's config struct is the one source of
//! truth: its JSON Schema (derived by schemars from the struct, its doc comments and its
//! `x-label`, `x-placeholder`, `x-validators`, `x-secret`, `x-type` extensions) becomes the
//! [`KindDescription`] served by `GET /api/v1/channel-kinds`, the rules [`validate`] applies to
//! a submitted configuration, and the reference in `docs/channels.md`.

mod secrets;
mod validators;

pub use secrets::{SECRET_MASK, mask_secrets, merge_secrets};
pub use validators::Validator;

use schemars::JsonSchema;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

/// Type of a form field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FieldType {
    /// One line of text.
    Text,
    /// A secret: never returned, masked in forms.
    Password,
    /// A whole number.
    Integer,
    /// On or off.
    Boolean,
    /// One of `options`.
    Enum,
    /// Several lines of text, one value per item.
    List,
    /// Name → value pairs.
    Map,
    /// Multi-line text (templates).
    Textarea,
    /// A duration such as `10s` or `5m`.
    Duration,
}

/// One allowed value of an enum field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct EnumOption {
    /// The value as configured.
    pub value: String,
    /// What it means (markdown).
    pub help: String,
}

/// One field of a channel kind's configuration.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct FieldDescription {
    /// Key in the configuration (`smtp_host`).
    pub name: String,
    /// Human label (`SMTP host`).
    pub label: String,
    /// Form control type.
    #[serde(rename = "type")]
    pub field_type: FieldType,
    /// Must be given.
    pub required: bool,
    /// Value taken when absent.
    pub default: Option<Value>,
    /// Example shown in an empty input.
    pub placeholder: Option<String>,
    /// Rules a value must pass, run in the browser and again on the server.
    pub validators: Vec<Validator>,
    /// Allowed values of an enum field.
    pub options: Vec<EnumOption>,
    /// Help as markdown.
    pub help: String,
    /// Stored but never returned.
    pub secret: bool,
}

/// The description of one channel kind.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct KindDescription {
    /// Kind name as configured (`dingtalk`).
    pub kind: String,
    /// Human name (`DingTalk`).
    pub label: String,
    /// Help as markdown (the config struct's doc comment).
    pub help: String,
    /// Fields in declaration order.
    pub fields: Vec<FieldDescription>,
}

/// A field that failed validation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct FieldError {
    /// Field path (`to[1]`, `headers.X-Token`).
    pub field: String,
    /// Why it is wrong.
    pub reason: String,
}

impl std::fmt::Display for FieldError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.field, self.reason)
    }
}

/// A kind's config struct: serde for reading, schemars for describing, and the cross-field
/// checks the description cannot express.
pub trait DescribedConfig: DeserializeOwned + Serialize + JsonSchema {
    /// Checks what the description cannot express (between fields, URL schemes, header
    /// syntax); `(field path, reason)` pairs.
    fn validate(&self) -> Result<(), Vec<(String, String)>>;
}

/// Describes the config struct `T` of channel kind `kind`.
pub fn describe<T: JsonSchema>(kind: &str, label: &str) -> KindDescription {
    let schema = schemars::schema_for!(T);
    let root = schema.as_value();
    let defs = root.get("$defs").cloned().unwrap_or(Value::Null);
    let required: Vec<&str> = root["required"]
        .as_array()
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let fields = root["properties"]
        .as_object()
        .map(|props| {
            props
                .iter()
                .map(|(name, prop)| field(name, prop, &defs, required.contains(&name.as_str())))
                .collect()
        })
        .unwrap_or_default();
    KindDescription {
        kind: kind.into(),
        label: label.into(),
        help: text(&root["description"]),
        fields,
    }
}

fn text(value: &Value) -> String {
    value.as_str().unwrap_or_default().to_string()
}

/// Follows a `$ref` into `$defs`, and an `Option`'s `anyOf [X, null]` to `X`.
fn resolve<'a>(prop: &'a Value, defs: &'a Value) -> &'a Value {
    if let Some(name) = prop["$ref"]
        .as_str()
        .and_then(|r| r.strip_prefix("#/$defs/"))
    {
        return &defs[name];
    }
    if let Some(variants) = prop["anyOf"].as_array()
        && let Some(inner) = variants.iter().find(|v| v["type"] != "null")
    {
        return resolve(inner, defs);
    }
    prop
}

fn json_type(prop: &Value) -> &str {
    match &prop["type"] {
        Value::String(t) => t,
        Value::Array(types) => types
            .iter()
            .filter_map(Value::as_str)
            .find(|t| *t != "null")
            .unwrap_or("string"),
        _ => "string",
    }
}

fn field(name: &str, prop: &Value, defs: &Value, required: bool) -> FieldDescription {
    let target = resolve(prop, defs);
    let options: Vec<EnumOption> = target["oneOf"]
        .as_array()
        .map(|variants| {
            variants
                .iter()
                .filter_map(|v| {
                    Some(EnumOption {
                        value: v["const"].as_str()?.to_string(),
                        help: text(&v["description"]),
                    })
                })
                .collect()
        })
        .or_else(|| {
            target["enum"].as_array().map(|values| {
                values
                    .iter()
                    .filter_map(|v| {
                        Some(EnumOption {
                            value: v.as_str()?.to_string(),
                            help: String::new(),
                        })
                    })
                    .collect()
            })
        })
        .unwrap_or_default();
    let secret = prop["x-secret"].as_bool().unwrap_or(false);
    let field_type = match prop["x-type"].as_str() {
        Some("textarea") => FieldType::Textarea,
        Some("duration") => FieldType::Duration,
        Some("password") => FieldType::Password,
        _ if secret => FieldType::Password,
        _ if !options.is_empty() => FieldType::Enum,
        _ => match json_type(target) {
            "integer" => FieldType::Integer,
            "boolean" => FieldType::Boolean,
            "array" => FieldType::List,
            "object" => FieldType::Map,
            _ => FieldType::Text,
        },
    };
    let validators = prop["x-validators"]
        .as_array()
        .map(|v| {
            v.iter()
                .filter_map(|name| name.as_str().and_then(Validator::parse))
                .collect()
        })
        .unwrap_or_default();
    FieldDescription {
        name: name.into(),
        label: prop["x-label"].as_str().unwrap_or(name).to_string(),
        field_type,
        required,
        default: prop.get("default").cloned(),
        placeholder: prop["x-placeholder"].as_str().map(String::from),
        validators,
        options,
        help: text(&prop["description"]),
        secret,
    }
}

/// Validates a submitted configuration (a JSON object, as from the API or a form) against the
/// kind's description, then reads it into `T` and runs its cross-field checks. Every offending
/// field is reported, not only the first.
pub fn validate<T: DescribedConfig>(
    description: &KindDescription,
    submitted: &Value,
) -> Result<T, Vec<FieldError>> {
    let mut errors = Vec::new();
    let empty = Map::new();
    let submitted = &without_empty_optionals(description, submitted);
    let object = match submitted.as_object() {
        Some(object) => object,
        None => {
            errors.push(error("(config)", "must be a JSON object"));
            &empty
        }
    };
    for key in object.keys() {
        if !description.fields.iter().any(|f| &f.name == key) {
            errors.push(error(key, "unknown field"));
        }
    }
    for field in &description.fields {
        validators::check_field(field, object.get(&field.name), &mut errors);
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let config: T = serde_json::from_value(submitted.clone())
        .map_err(|e| vec![error("(config)", &e.to_string())])?;
    config.validate().map_err(|problems| {
        problems
            .into_iter()
            .map(|(field, reason)| FieldError { field, reason })
            .collect::<Vec<_>>()
    })?;
    Ok(config)
}

/// Forms submit empty inputs as `""`: for a field that is not required, that means "not set".
fn without_empty_optionals(description: &KindDescription, submitted: &Value) -> Value {
    let mut value = submitted.clone();
    if let Some(object) = value.as_object_mut() {
        object.retain(|key, v| {
            let optional = description.fields.iter().any(|f| {
                &f.name == key && !f.required && !f.validators.contains(&Validator::Require)
            });
            !(optional && v.as_str() == Some(""))
        });
    }
    value
}

fn error(field: &str, reason: &str) -> FieldError {
    FieldError {
        field: field.into(),
        reason: reason.into(),
    }
}

/// The reference of a kind as markdown (for `docs/channels.md`).
pub fn markdown(description: &KindDescription) -> String {
    let mut out = format!(
        "## `{}` — {}\n\n{}\n\n| key | type | required | default | validators | meaning |\n|---|---|---|---|---|---|\n",
        description.kind, description.label, description.help
    );
    for f in &description.fields {
        let default = f
            .default
            .as_ref()
            .map_or(String::new(), |d| format!("`{d}`"));
        let validators: Vec<_> = f.validators.iter().map(|v| v.as_str()).collect();
        let mut help = f.help.replace('\n', " ");
        if !f.options.is_empty() {
            let options: Vec<_> = f
                .options
                .iter()
                .map(|o| format!("`{}` {}", o.value, o.help))
                .collect();
            help.push_str(&format!(" One of: {}.", options.join("; ")));
        }
        out.push_str(&format!(
            "| `{}` | {}{} | {} | {} | {} | {} |\n",
            f.name,
            serde_json::to_value(f.field_type)
                .ok()
                .and_then(|v| v.as_str().map(String::from))
                .unwrap_or_default(),
            if f.secret { " (secret)" } else { "" },
            if f.required { "yes" } else { "no" },
            default,
            validators.join(", "),
            help.replace('|', "\\|")
        ));
    }
    out
}

#[cfg(test)]
mod tests;
