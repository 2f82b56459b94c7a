#!/usr/bin/env sh
# Cerebro with curl: a chat that is remembered, a stream, and the Anthropic-format entrance.
set -eu
BASE="${CEREBRO_BASE_URL:-http://localhost:8000/v1}"
TOKEN="${CEREBRO_API_TOKEN:?set CEREBRO_API_TOKEN}"

echo '--- a chat, remembered under session "curl-demo"'
curl -sS "$BASE/chat/completions" \
  -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
  -d '{"model": "auto", "session_id": "curl-demo", "messages": [{"role": "user", "content": "My name is Ana."}]}'
echo

echo '--- a stream (server-sent events)'
curl -sS -N "$BASE/chat/completions" \
  -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
  -d '{"model": "auto", "stream": true, "session_id": "curl-demo", "messages": [{"role": "user", "content": "What is my name?"}]}'
echo

echo '--- the Anthropic Messages entrance (x-api-key)'
curl -sS "${BASE%/v1}/v1/messages" \
  -H "x-api-key: $TOKEN" -H 'anthropic-version: 2023-06-01' -H 'Content-Type: application/json' \
  -d '{"model": "auto", "max_tokens": 200, "messages": [{"role": "user", "content": "Hola"}]}'
echo
