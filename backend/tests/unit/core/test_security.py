"""Password hashing, tokens, token hashes and constant-time comparison."""

from __future__ import annotations

import hashlib
import hmac

from app.core import security


def test_a_password_hash_is_argon2id_and_verifies_only_the_same_password() -> None:
    hashed = security.hash_password("s3cret password")

    assert hashed.startswith("$argon2id$")
    assert "s3cret" not in hashed
    assert security.verify_password("s3cret password", hashed)
    assert not security.verify_password("s3cret passwore", hashed)


def test_the_same_password_hashes_differently_each_time() -> None:
    assert security.hash_password("same") != security.hash_password("same")


def test_a_malformed_stored_hash_is_a_mismatch_not_an_error() -> None:
    assert not security.verify_password("anything", "not a hash")
    assert not security.verify_password("anything", "")


def test_tokens_are_random_and_url_safe() -> None:
    tokens = {security.new_token() for _ in range(100)}

    assert len(tokens) == 100
    for token in tokens:
        assert len(token) >= 43  # 32 random bytes
        assert set(token) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    assert security.new_csrf_token() != security.new_csrf_token()


KEY_A = "a" * 32
KEY_B = "b" * 32


def test_a_token_is_stored_as_its_hmac_sha256_under_the_secret_key() -> None:
    token = security.new_token()

    expected = hmac.new(KEY_A.encode(), token.encode(), hashlib.sha256).hexdigest()
    assert security.hash_token(token, KEY_A) == expected
    assert security.hash_token(token, KEY_A) != hashlib.sha256(token.encode()).hexdigest()
    assert security.hash_token(token, KEY_A) == security.hash_token(token, KEY_A)
    assert security.hash_token(token, KEY_A) != security.hash_token(token + "x", KEY_A)


def test_the_same_token_hashes_differently_under_two_keys() -> None:
    token = security.new_token()

    assert security.hash_token(token, KEY_A) != security.hash_token(token, KEY_B)
    assert len(security.hash_token(token, KEY_B)) == 64  # fits the stored column, as sha256 did


def test_constant_time_equals() -> None:
    assert security.constant_time_equals("abc", "abc")
    assert not security.constant_time_equals("abc", "abd")
    assert not security.constant_time_equals("abc", "ab")
    assert security.constant_time_equals("é", "é")


def test_a_generated_password_is_long_enough_to_be_accepted() -> None:
    assert len(security.new_password()) >= 16


def test_an_unknown_user_check_still_spends_a_password_verification() -> None:
    security.burn_password_check("whatever")  # must not raise
