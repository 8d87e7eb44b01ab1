"""A resize nobody confirms is confirmed after ``resize_confirm_window`` seconds."""
AIO_OVERRIDES = {("resize_confirm_window", "compute"): 1}


def test_resize_is_confirmed_when_the_window_passes(cloud):
    member = cloud.new_member()
    server_id = member.create_server(image=cloud.image_id())
    member.wait_for_status(server_id, "ACTIVE")
    resp = member.post(f"/v2.1/servers/{server_id}/action",
                       json={"resize": {"flavorRef": "2"}})
    assert resp.status_code == 202, resp.text
    member.wait_for_status(server_id, "VERIFY_RESIZE")
    server = member.wait_for_status(server_id, "ACTIVE", timeout=30)
    assert server["flavor"]["original_name"] == "m1.small"
    migrations = cloud.admin().get("/admin/v1/migrations",
                                   params={"server": server_id}).json()["migrations"]
    assert [(m["status"], m["outcome"]) for m in migrations] == [("finished", "confirmed")]
