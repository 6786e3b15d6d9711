//! Plugging in your own HTTP stack: implement `Transport` (three methods).
//!
//! This one is an in-process fake service, the kind of double you would use
//! to unit-test provisioning code; a real one would call your HTTP client in
//! `send`. Run with `cargo run --example custom_transport`.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use http::{Method, Response};
use scim_client::model::User;
use scim_client::transport::{HttpRequest, HttpResponse, Transport, TransportError};
use scim_client::{ClientOptions, Error, ScimClient};

/// Stores users by id and answers Slack-style.
#[derive(Default)]
struct FakeService {
    users: Mutex<HashMap<String, serde_json::Value>>,
}

impl Transport for FakeService {
    fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        let path = request
            .uri()
            .path()
            .trim_start_matches("/scim/v1/")
            .to_owned();
        let mut users = self
            .users
            .lock()
            .map_err(|_| TransportError::invalid("the fake's lock is poisoned"))?;
        let (status, body) = match (request.method().clone(), path.split_once('/')) {
            (Method::POST, None) if path == "Users" => {
                let mut user: serde_json::Value =
                    serde_json::from_slice(request.body()).map_err(TransportError::invalid)?;
                let id = format!("W{}", users.len() + 1);
                user["id"] = id.clone().into();
                users.insert(id, user.clone());
                (201, user.to_string())
            }
            (Method::GET, Some(("Users", id))) => match users.get(id) {
                Some(user) => (200, user.to_string()),
                None => (
                    404,
                    r#"{"Errors":{"description":"user_not_found","code":404}}"#.to_owned(),
                ),
            },
            _ => (
                400,
                r#"{"Errors":{"description":"unsupported","code":400}}"#.to_owned(),
            ),
        };
        Response::builder()
            .status(status)
            .body(body.into_bytes())
            .map_err(TransportError::invalid)
    }

    fn sleep(&self, duration: Duration) {
        std::thread::sleep(duration);
    }

    fn now(&self) -> SystemTime {
        SystemTime::now()
    }
}

fn main() -> Result<(), Error> {
    let client = ScimClient::with_transport(
        "xoxp-fake",
        ClientOptions::default(),
        FakeService::default(),
    )?;
    let created = client.create_user(&User {
        user_name: "ada".into(),
        ..User::default()
    })?;
    let id = created.id.value().cloned().unwrap_or_default();
    println!(
        "created {id}: {:?}",
        client.read_user(&id)?.user_name.as_deref()
    );
    match client.read_user("W404") {
        Err(Error::Api(e)) => println!("W404 -> {} ({})", e.status, e),
        other => println!("W404 -> unexpected {other:?}"),
    }
    Ok(())
}
