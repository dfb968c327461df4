#!/bin/sh
# Run by the dev overlay's init container before keygraph starts: create the SoftHSM token
# KEYGRAPH_TOKEN_LABEL with the Secret's PINs unless the volume already holds it. Never
# re-initialises an existing token: it holds the domain key every stored key is wrapped under.
set -eu
tokendir=$(sed -n 's/^directories\.tokendir *= *//p' "$SOFTHSM2_CONF")
mkdir -p "$tokendir"
if softhsm2-util --show-slots | grep -Eq "^[[:space:]]*Label:[[:space:]]*${KEYGRAPH_TOKEN_LABEL}[[:space:]]*$"; then
    echo "init-token: SoftHSM token ${KEYGRAPH_TOKEN_LABEL} exists"
    exit 0
fi
softhsm2-util --init-token --free --label "$KEYGRAPH_TOKEN_LABEL" \
    --pin "$(cat "$KEYGRAPH_PIN_FILE")" --so-pin "$(cat "$SOFTHSM_SO_PIN_FILE")" >/dev/null
echo "init-token: initialised SoftHSM token ${KEYGRAPH_TOKEN_LABEL}"
