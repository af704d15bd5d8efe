import json, sys
sys.path.insert(0, sys.argv[1])
from kit_webhooks import models as kit_models
cases = json.load(open(sys.argv[2]))
titles = {}
loaded = 0
for c in cases:
    if c["typed"]:
        title = "".join(p.capitalize() for p in c["event"].replace(".", "_").split("_"))
        model = getattr(kit_models, title, None)
        if model is None:
            print(f"FAIL {c['name']}: no model named {title}")
            continue
        try:
            typed = model.model_validate(c["document"])
            kit_models.KitWebhookDelivery.model_validate(c["document"])
        except Exception as e:
            print(f"FAIL {c['name']}: {e}")
            continue
        # A value the models do not list is kept as it was sent.
        status = c["document"]["data"].get("status")
        if status is not None:
            held = getattr(typed.data.status, "root", typed.data.status)
            if str(getattr(held, "value", held)) != status:
                print(f"FAIL {c['name']}: status {status!r} came back as {held!r}")
                continue
        titles[title] = True
        loaded += 1
print(f"{loaded} fixtures ({len(titles)} events, undocumented values included) load into their models and the union model")
