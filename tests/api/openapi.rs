//! The OpenAPI document tells the truth: it is OpenAPI 3.1, every `$ref` resolves, every path
//! parameter is in its path and every parameter in a path is declared; and the live service,
//! asked what the document describes, answers only what the document says.

use std::collections::BTreeSet;

use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use serde_json::{Value, json};

use crate::helpers::spawn_app;

async fn document() -> Value {
    let app = spawn_app().await;
    app.anonymous().get("/api/openapi.json").await.ok(200).clone()
}

/// Every `$ref` in `value`, with where it was found.
fn refs<'a>(value: &'a Value, at: String, out: &mut Vec<(String, &'a str)>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                match (k.as_str(), v) {
                    ("$ref", Value::String(r)) => out.push((at.clone(), r)),
                    _ => refs(v, format!("{at}/{k}"), out),
                }
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                refs(v, format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
}

fn resolve<'a>(doc: &'a Value, reference: &str) -> Option<&'a Value> {
    doc.pointer(reference.strip_prefix('#')?)
}

const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

#[tokio::test]
async fn the_document_is_openapi_3_1_and_every_reference_and_parameter_holds() {
    let doc = document().await;
    assert!(
        doc["openapi"].as_str().unwrap().starts_with("3.1."),
        "{}",
        doc["openapi"]
    );
    assert!(doc["info"]["title"].is_string() && doc["info"]["version"].is_string());

    let mut found = Vec::new();
    refs(&doc, String::new(), &mut found);
    let dangling: Vec<_> = found.iter().filter(|(_, r)| resolve(&doc, r).is_none()).collect();
    assert!(dangling.is_empty(), "references to nothing: {dangling:?}");

    let mut wrong = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        let in_path: BTreeSet<&str> = path
            .split('/')
            .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
            .collect();
        for method in METHODS {
            let Some(op) = item.get(method) else { continue };
            let id = format!("{method} {path}");
            assert!(
                op["responses"].as_object().is_some_and(|r| !r.is_empty()),
                "{id}: no responses"
            );
            let params = op["parameters"].as_array().cloned().unwrap_or_default();
            let declared: BTreeSet<&str> = params
                .iter()
                .filter(|p| p["in"] == "path")
                .map(|p| p["name"].as_str().unwrap())
                .collect();
            for p in &params {
                assert!(
                    matches!(p["in"].as_str(), Some("path" | "query" | "header" | "cookie")),
                    "{id}: {p}"
                );
                if p["in"] == "path" && p["required"] != true {
                    wrong.push(format!("{id}: path parameter {} not required", p["name"]));
                }
            }
            if declared != in_path {
                wrong.push(format!("{id}: path parameters {declared:?}, the path has {in_path:?}"));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));

    let problem = &doc["components"]["schemas"]["Problem"]["properties"]["errors"];
    let types = problem["type"].to_string();
    assert!(types.contains("array"), "a problem's errors are a list: {problem}");
}

/// A value for `schema`: mostly of its shape (enums, types, required properties), sometimes
/// not, so that both the happy path and the refusals are asked.
fn value(doc: &Value, schema: &Value, rng: &mut StdRng, depth: u32) -> Value {
    if let Some(r) = schema["$ref"].as_str() {
        return value(doc, resolve(doc, r).unwrap_or(&Value::Null), rng, depth + 1);
    }
    if depth > 4 || rng.random_range(0..12) == 0 {
        return junk(rng);
    }
    for key in ["oneOf", "anyOf", "allOf"] {
        if let Some(choices) = schema[key].as_array().filter(|c| !c.is_empty()) {
            let pick = &choices[rng.random_range(0..choices.len())];
            return value(doc, pick, rng, depth + 1);
        }
    }
    if let Some(options) = schema["enum"].as_array().filter(|o| !o.is_empty()) {
        return options[rng.random_range(0..options.len())].clone();
    }
    let kind = match &schema["type"] {
        Value::Array(kinds) => kinds.iter().find(|k| *k != "null").cloned().unwrap_or(Value::Null),
        kind => kind.clone(),
    };
    match kind.as_str().unwrap_or("object") {
        "integer" => json!([1, 2, 0, -1, 2027, 99999, i64::MAX][rng.random_range(0..7)]),
        "number" => json!([0.5, 1.0, -3.0, 1e300][rng.random_range(0..4)]),
        "boolean" => json!(rng.random_bool(0.5)),
        "string" => match schema["format"].as_str() {
            Some("date") => json!(["2027-03-01", "2027-02-30", "1800-01-01"][rng.random_range(0..3)]),
            Some("date-time") => {
                json!(["2027-03-01T07:30:00+07:00", "2027-03-01", "9999-12-31T00:00:00Z"][rng.random_range(0..3)])
            }
            _ => json!(
                ["GV-1", "", "Huyện Trần Đề", "a\u{0}b", "=1+1", "x".repeat(300).as_str()][rng.random_range(0..6)]
            ),
        },
        "array" => {
            let n = rng.random_range(0..3);
            Value::Array((0..n).map(|_| value(doc, &schema["items"], rng, depth + 1)).collect())
        }
        _ => {
            let mut object = serde_json::Map::new();
            let required: Vec<&str> = schema["required"]
                .as_array()
                .map(|r| r.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            if let Some(properties) = schema["properties"].as_object() {
                for (name, property) in properties {
                    if required.contains(&name.as_str()) || rng.random_bool(0.5) {
                        object.insert(name.clone(), value(doc, property, rng, depth + 1));
                    }
                }
            }
            Value::Object(object)
        }
    }
}

fn junk(rng: &mut StdRng) -> Value {
    [
        json!(null),
        json!("🙂"),
        json!(-7),
        json!([1, "x"]),
        json!({"x": {}}),
        json!(1.5),
    ][rng.random_range(0..6)]
    .clone()
}

/// Text for a path or query parameter.
fn parameter_text(doc: &Value, schema: &Value, rng: &mut StdRng) -> String {
    match value(doc, schema, rng, 0) {
        Value::String(s) => s,
        other => other.to_string(),
    }
}

/// Calls every operation of the document with generated parameters and bodies, as the
/// province's account (every operation is open to it), for a bounded time: no answer may be
/// a 5xx, a success must be one the document lists, and every refusal a problem document.
#[tokio::test]
async fn generated_requests_get_only_documented_answers() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    crate::helpers::world(&admin).await;
    let doc = admin.get("/api/openapi.json").await.ok(200).clone();
    let mut rng = StdRng::seed_from_u64(18);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(6);
    let mut asked = 0;
    let mut wrong = Vec::new();
    'rounds: for _round in 0..20 {
        for (path, item) in doc["paths"].as_object().unwrap() {
            for method in METHODS {
                let Some(op) = item.get(method) else { continue };
                if std::time::Instant::now() > deadline {
                    break 'rounds;
                }
                // Signing out would end the session the run signs in with.
                if path == "/api/v1/auth/logout" {
                    continue;
                }
                let mut url = path.clone();
                let mut query = Vec::new();
                for p in op["parameters"].as_array().into_iter().flatten() {
                    let text = parameter_text(&doc, &p["schema"], &mut rng);
                    let name = p["name"].as_str().unwrap();
                    match p["in"].as_str() {
                        Some("path") => {
                            let encoded: String = form_urlencoded::byte_serialize(text.as_bytes()).collect();
                            url = url.replace(&format!("{{{name}}}"), &encoded);
                        }
                        Some("query") if rng.random_bool(0.7) => query.push((name.to_string(), text)),
                        _ => {}
                    }
                }
                if !query.is_empty() {
                    let q: String = form_urlencoded::Serializer::new(String::new())
                        .extend_pairs(&query)
                        .finish();
                    url = format!("{url}?{q}");
                }
                let body = op["requestBody"]["content"]["application/json"]["schema"]
                    .as_object()
                    .map(|s| value(&doc, &Value::Object(s.clone()), &mut rng, 0));
                let reply = admin
                    .send(method.to_uppercase().parse().unwrap(), &url, body.clone())
                    .await;
                asked += 1;
                let status = reply.status.as_u16();
                let documented = op["responses"].get(status.to_string()).is_some();
                let problem = reply.content_type() == "application/problem+json" && reply.body["status"] == status;
                let fits = match status {
                    500.. => false,
                    200..=399 => documented,
                    _ => problem,
                };
                if !fits {
                    wrong.push(format!("{method} {url} {body:?} → {status} {}", reply.body));
                }
            }
        }
    }
    assert!(asked > 100, "only {asked} requests in the time allowed");
    assert!(
        wrong.is_empty(),
        "{} of {asked} answers break the document:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}
