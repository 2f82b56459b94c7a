import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { openDatabase } from '../../src/store/database.js';
import { defaultSslMode } from '../../src/store/postgres.js';

describe('Postgres TLS', () => {
  it("follows the URL's sslmode, else TLS everywhere but on this machine", () => {
    const table: Array<[string, string]> = [
      ['postgres://u@127.0.0.1:5432/db', 'off'],
      ['postgres://u@localhost/db', 'off'],
      ['postgresql://postgres.ref:pw@aws-0-eu-west-1.pooler.supabase.com:5432/postgres', 'require'],
      ['postgres://u@db.example.com/db?sslmode=verify-full', 'verify'],
      ['postgres://u@db/db?sslmode=disable', 'off'],
      ['postgres://u@127.0.0.1/db?sslmode=require', 'require'],
    ];
    for (const [url, mode] of table) assert.equal(defaultSslMode(url), mode, url);
    assert.throws(() => defaultSslMode('postgres://u@h/db?sslmode=sometimes'), /unknown sslmode/);
  });

  it('refuses a DATABASE_SSL that contradicts the URL', () => {
    assert.throws(() => openDatabase('postgres://u@db.example.com/db?sslmode=verify-full', { ssl: 'require' }), /contradicts/);
  });
});
