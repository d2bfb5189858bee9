//! The demo province loads into an empty database, once, and its logins work.

use chrono::Datelike;

use crate::helpers::spawn_app;

#[tokio::test]
async fn the_demo_province_loads_once_with_working_logins() {
    let app = spawn_app().await;
    let logins = roster::demo::load(&app.db).await.unwrap();
    assert_eq!(logins.len(), 5);
    let (user, password, _) = &logins[0];
    let admin = app.login(user, password).await;
    assert_eq!(admin.get("/api/v1/me").await.ok(200)["role"], "province_admin");

    // Eleven districts, towns and the city, and two Party committees under the province,
    // seated in the provincial capital; each unit of a kind, and with a letterhead.
    let districts = admin.get("/api/v1/districts").await;
    let units = districts.ok(200).as_array().unwrap();
    assert_eq!(units.len(), 13);
    assert_eq!(units.iter().filter(|d| d["seat_district_id"].is_i64()).count(), 2);
    assert!(units.iter().all(|d| d["unit_kind_id"].is_i64()));
    for unit in units {
        let head = admin
            .get(&format!("/api/v1/letterheads?district_id={}", unit["id"]))
            .await
            .ok(200)
            .clone();
        assert_eq!(head["configured"], true, "{head}");
    }
    let province = admin.get("/api/v1/letterheads").await.ok(200).clone();
    assert_eq!(province["committee"], "TỈNH ỦY SÓC TRĂNG");
    assert_eq!(province["signer_authority"], "K/T TRƯỞNG BAN");
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
    // The eleven places pairwise, and each seated unit's own zero.
    assert_eq!(matrix.ok(200)["entries"].as_array().unwrap().len(), 11 * 11 + 2);

    for (user, password, _) in &logins[1..] {
        app.login(user, password).await.get("/api/v1/me").await.ok(200);
    }
    // A second start leaves the data as it is.
    assert!(roster::demo::load(&app.db).await.unwrap().is_empty());
    assert_eq!(admin.get("/api/v1/people").await.ok(200)["total"], total);
}

/// The demo's coming year: approved plans, accepted requests with one still waiting per
/// district, two classes of the demo coordinator's center still to request, sessions, and a
/// month the scheduler can take on at once.
#[tokio::test]
async fn the_demo_province_has_a_year_of_plans_ready_for_the_scheduler() {
    let app = spawn_app().await;
    let logins = roster::demo::load(&app.db).await.unwrap();
    let admin = app.login(&logins[0].0, &logins[0].1).await;
    let year = chrono::Utc::now().with_timezone(&roster::time::ZONE).year() + 1;
    let plans = admin.get(&format!("/api/v1/plans?year={year}")).await.ok(200).clone();
    let plans = plans.as_array().unwrap();
    assert_eq!(plans.len(), 13, "eleven districts and two Party committees");
    assert!(plans.iter().all(|p| p["status"] == "approved"));
    let classes: Vec<usize> = plans.iter().map(|p| p["classes"].as_array().unwrap().len()).collect();
    assert_eq!(classes.iter().filter(|&&n| n == 8).count(), 11, "{classes:?}");
    assert_eq!(classes.iter().filter(|&&n| n == 2).count(), 2, "{classes:?}");
    let waiting = admin
        .get("/api/v1/requests?status=submitted")
        .await
        .ok(200)
        .as_array()
        .unwrap()
        .len();
    assert_eq!(waiting, 13, "one request per unit waits for the board");
    // The Party committee's board sees its own plan and request.
    let committee = app.login("du.quansu", roster::demo::DEMO_PASSWORD).await;
    let theirs = committee
        .get(&format!("/api/v1/plans?year={year}"))
        .await
        .ok(200)
        .clone();
    assert_eq!(theirs.as_array().unwrap().len(), 1, "{theirs}");
    assert_eq!(theirs[0]["classes"].as_array().unwrap().len(), 2);
    let sessions = admin
        .get(&format!("/api/v1/schedule?from={year}-01-01&to={year}-12-31"))
        .await
        .ok(200)
        .clone();
    let n = sessions.as_array().unwrap().len();
    assert!((700..=900).contains(&n), "{n} sessions");
    let vinh_chau = app.login("ttct.vinhchau", roster::demo::DEMO_PASSWORD).await;
    assert_eq!(
        vinh_chau
            .get("/api/v1/requests")
            .await
            .ok(200)
            .as_array()
            .unwrap()
            .len(),
        6,
        "five accepted, one waiting, two classes left to request"
    );
    // The coordinator's page offers those two.
    let mut page = crate::pages::Browser::new(&app);
    page.post(
        "/login",
        &[("username", "ttct.vinhchau"), ("password", roster::demo::DEMO_PASSWORD)],
    )
    .await;
    let classes = page.get("/center").await.text;
    assert_eq!(classes.matches("<form class=\"request\"").count(), 2, "{classes}");
    // The registry was written through its functions, each write in the audit log as "demo".
    let log = admin
        .get("/api/v1/audit?entity=district&per_page=500")
        .await
        .ok(200)
        .clone();
    assert_eq!(log["total"], 13);
    assert!(log["items"].as_array().unwrap().iter().all(|e| e["actor"] == "demo"));
    for entity in ["travel_time", "center", "topic", "unavailability", "weekly_pattern"] {
        let n = admin.get(&format!("/api/v1/audit?entity={entity}")).await.ok(200)["total"].clone();
        assert!(n.as_i64().unwrap() > 0, "{entity}: {n}");
    }

    let run = admin
        .post("/api/v1/runs", serde_json::json!({"from": format!("{year}-03-01"), "to": format!("{year}-03-31"), "time_limit_seconds": 30}))
        .await
        .ok(202)["id"]
        .as_i64()
        .unwrap();
    assert_eq!(crate::scheduling::settled(&admin, run).await["status"], "finished");
}
