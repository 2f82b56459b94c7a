"""Cerebro with the official OpenAI SDK for Python (pip install openai)."""
import os

from openai import OpenAI

client = OpenAI(base_url=os.environ.get("CEREBRO_BASE_URL", "http://localhost:8000/v1"), api_key=os.environ["CEREBRO_API_TOKEN"])

# Cerebro's own fields (session_id, priority, route) go in extra_body.
client.chat.completions.create(model="auto", messages=[{"role": "user", "content": "My name is Ana."}], extra_body={"session_id": "py-demo"})
answer = client.chat.completions.create(model="auto", messages=[{"role": "user", "content": "What is my name?"}], extra_body={"session_id": "py-demo"})
print("memory:", answer.choices[0].message.content)

stream = client.chat.completions.create(model="auto", stream=True, messages=[{"role": "user", "content": "Count to five."}])
print("stream:", "".join(chunk.choices[0].delta.content or "" for chunk in stream if chunk.choices))

vectors = client.embeddings.create(model="text-embedding-3-small", input=["hola", "adiós"])
print("embeddings:", len(vectors.data), "vectors of", len(vectors.data[0].embedding))
