import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resolveStaticPath } from '../src/static-files.js';

test('resolveStaticPath stays inside the root', () => {
  assert.equal(resolveStaticPath('/srv/www', '/index.html'), '/srv/www/index.html');
  assert.equal(resolveStaticPath('/srv/www', '/'), '/srv/www/index.html');
  assert.equal(resolveStaticPath('/srv/www', '/a/b.js'), '/srv/www/a/b.js');
  assert.equal(resolveStaticPath('/srv/www', '/a/'), '/srv/www/a/index.html');
  for (const bad of ['/../etc/passwd', '/a/../../x', '/a/./b', '/..', 'relative', '/a\\..\\..\\x', '/a\0b']) {
    assert.equal(resolveStaticPath('/srv/www', bad), undefined, JSON.stringify(bad));
  }
});
