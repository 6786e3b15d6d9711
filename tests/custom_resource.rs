//! A resource type defined outside the crate (RFC 7643 §6) gets every
//! operation and the paginated walk through both clients, with no code in
//! the client: here a `Device`, against the in-memory service serving
//! `/Devices`.

mod support;

use std::collections::BTreeSet;

use scim_client::filter::Filter;
use scim_client::model::{PatchOp, SearchRequest};
use scim_client::{AsyncScimClient, ClientOptions, Dialect, Error, Resource, ScimClient};
use scim_memory::InMemoryService;
use serde::{Deserialize, Serialize};
use support::scenarios::block_on;

const BASE: &str = "https://scim.test/v2";
const DEVICE: &str = "urn:example:params:scim:schemas:Device";

/// A device as the service defines it; unknown attributes are not kept
/// (the caller's type decides what it models).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
struct Device {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    schemas: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    id: Option<String>,
    serial: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    owner: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    meta: Option<serde_json::Value>,
}

impl Resource for Device {
    const ENDPOINT: &'static str = "Devices";

    fn schema(_dialect: Dialect) -> &'static str {
        DEVICE
    }

    fn id(&self) -> Option<&str> {
        self.id.as_deref()
    }
}

fn device(serial: &str) -> Device {
    Device {
        serial: serial.to_owned(),
        ..Device::default()
    }
}

fn service() -> InMemoryService {
    let service = InMemoryService::scim2();
    service.add_resource_type("Device", "Devices", DEVICE);
    service
}

/// Create, read, query, patch, update and delete, run through `run`: the
/// identity for the blocking client, `block_on` for the async one.
macro_rules! device_lifecycle {
    ($client:expr, $run:path) => {{
        let client = $client;
        let scenario = || -> Result<(), Error> {
            let created: Device = $run(client.create::<Device>(&device("SN-1")))?;
            let id = created.id.clone().expect("the service gives an id");
            assert_eq!(
                created.schemas,
                [DEVICE],
                "the client adds the type's schema"
            );
            assert_eq!(created.serial, "SN-1");

            let read: Device = $run(client.read::<Device>(&id))?;
            assert_eq!(read, created);

            let query = SearchRequest::new().filter(Filter::eq("serial", "SN-1"));
            let page = $run(client.query::<Device>(&query))?;
            assert_eq!(page.total_results, Some(1));
            assert_eq!(page.resources[0].id.as_deref(), Some(id.as_str()));
            let posted = $run(client.search_post::<Device>(&query))?;
            assert_eq!(posted.resources, page.resources);

            let patch = PatchOp::new().replace("owner", "ada");
            assert_eq!($run(client.patch::<Device>(&id, &patch))?, None, "204");
            let patched: Device = $run(client.read::<Device>(&id))?;
            assert_eq!(patched.owner.as_deref(), Some("ada"));

            let replaced: Device = $run(client.update::<Device>(&Device {
                serial: "SN-1b".into(),
                ..patched
            }))?;
            assert_eq!(
                (replaced.serial.as_str(), replaced.owner.as_deref()),
                ("SN-1b", Some("ada"))
            );

            $run(client.delete::<Device>(&id))?;
            let gone = $run(client.read::<Device>(&id)).unwrap_err();
            assert_eq!(gone.status().map(|s| s.as_u16()), Some(404), "{gone}");
            Ok(())
        };
        scenario()
    }};
}

fn seed(client: &ScimClient, count: usize) -> BTreeSet<String> {
    (0..count)
        .map(|i| {
            let created: Device = client
                .create::<Device>(&device(&format!("SN-{i:03}")))
                .unwrap();
            created.id.unwrap()
        })
        .collect()
}

#[test]
fn the_blocking_client_runs_every_operation_on_a_custom_type() {
    let client =
        ScimClient::with_transport("token", ClientOptions::scim2(BASE), service()).unwrap();
    device_lifecycle!(&client, std::convert::identity).unwrap();
}

#[test]
fn the_async_client_runs_every_operation_on_a_custom_type() {
    let client =
        AsyncScimClient::with_transport("token", ClientOptions::scim2(BASE), service()).unwrap();
    device_lifecycle!(&client, block_on).unwrap();
}

#[test]
fn both_clients_walk_every_custom_resource_once_page_by_page() {
    let service = service();
    let blocking =
        ScimClient::with_transport("token", ClientOptions::scim2(BASE), service.clone()).unwrap();
    let ids = seed(&blocking, 23);
    // A user is not a device: the walk stays on its endpoint.
    blocking
        .create_user(&serde_json::json!({"userName": "ada"}))
        .unwrap();

    let query = SearchRequest::new().count(5);
    let before = service.requests_received();
    let walked: Vec<String> = blocking
        .all::<Device>(query.clone())
        .map(|device| device.unwrap().id.unwrap())
        .collect();
    assert_eq!(walked.len(), 23, "each once");
    assert_eq!(walked.iter().cloned().collect::<BTreeSet<_>>(), ids);
    assert_eq!(
        service.requests_received() - before,
        5,
        "pages of 5, 5, 5, 5, 3"
    );

    let async_client =
        AsyncScimClient::with_transport("token", ClientOptions::scim2(BASE), service.clone())
            .unwrap();
    let walked = block_on(async {
        let mut walk = async_client.all::<Device>(query);
        let mut walked = Vec::new();
        while let Some(device) = walk.next().await {
            walked.push(device.unwrap().id.unwrap());
        }
        walked
    });
    assert_eq!(walked.into_iter().collect::<BTreeSet<_>>(), ids);
}

#[test]
fn the_service_lists_the_custom_type_in_its_discovery() {
    let client =
        ScimClient::with_transport("token", ClientOptions::scim2(BASE), service()).unwrap();
    let types = client.resource_types().unwrap();
    let device = types
        .resources
        .iter()
        .find(|t| t.name.as_deref() == Some("Device"))
        .expect("Device is listed");
    assert_eq!(device.endpoint.as_deref(), Some("/Devices"));
    assert_eq!(device.schema.as_deref(), Some(DEVICE));
}
