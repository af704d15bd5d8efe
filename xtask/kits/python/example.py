import os

from flask import Flask, request

import kit_webhooks

app = Flask(__name__)


@app.post("/webhooks/kit")
def kit():
    try:
        delivery = kit_webhooks.receive(
            request.headers, request.get_data(), secrets=[os.environ["KIT_WEBHOOK_SECRET"]]
        )
    except kit_webhooks.ReceiveError as e:
        return str(e), e.status  # e.authentic: Kit signed it, keep it
    return {"received": delivery.event}
