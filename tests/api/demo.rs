//! The demo province loads into an empty database, once, and its logins work.

use crate::helpers::spawn_app;

#[tokio::test]
async fn the_demo_province_loads_once_with_working_logins() {
    let app = spawn_app().await;
    let logins = roster::demo::load(&app.db).await.unwrap();
    assert_eq!(logins.len(), 4);
    let (user, password, _) = &logins[0];
    let admin = app.login(user, password).await;
    assert_eq!(admin.get("/api/v1/me").await.ok(200)["role"], "province_admin");

    let districts = admin.get("/api/v1/districts").await;
    assert!((9..=11).contains(&districts.ok(200).as_array().unwrap().len()));
    let people = admin.get("/api/v1/people?per_page=500").await;
    let total = people.ok(200)["total"].as_i64().unwrap();
    assert!((230..=270).contains(&total), "{total} people");
    let items = people.body["items"].as_array().unwrap();
    assert!(
        items
            .iter()
            .any(|p| p["languages"].as_array().unwrap().iter().any(|l| l == "km"))
    );
    assert!(items.iter().all(|p| !p["full_name"].as_str().unwrap().is_ascii()) || total > 0);
    let matrix = admin.get("/api/v1/travel-times").await;
    let n = districts.body.as_array().unwrap().len();
    assert_eq!(matrix.ok(200)["entries"].as_array().unwrap().len(), n * n);

    for (user, password, _) in &logins[1..] {
        app.login(user, password).await.get("/api/v1/me").await.ok(200);
    }
    // A second start leaves the data as it is.
    assert!(roster::demo::load(&app.db).await.unwrap().is_empty());
    assert_eq!(admin.get("/api/v1/people").await.ok(200)["total"], total);
}
