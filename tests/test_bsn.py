import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from clients.bsn import mask_bsn, normalise_bsn, passes_eleven_test, validate_bsn

from . import factories


@pytest.mark.parametrize("bsn", ["111222333", "123456782", "999999990", "010000008"])
def test_known_valid_numbers_pass_the_eleven_test(bsn):
    assert passes_eleven_test(bsn)


@pytest.mark.parametrize("bsn", ["123456789", "111222334", "999999999", "000000000", "12345678a"])
def test_invalid_numbers_fail_the_eleven_test(bsn):
    assert not passes_eleven_test(bsn)


def test_an_eight_digit_bsn_gets_its_leading_zero():
    assert normalise_bsn("10000008") == "010000008"
    assert normalise_bsn("1234.56.782") == "123456782"


@pytest.mark.parametrize(
    ("value", "code"),
    [("12345", "bsn_format"), ("abcdefghi", "bsn_format"), ("123456789", "bsn_checksum")],
)
def test_validation_explains_what_is_wrong(value, code):
    with pytest.raises(ValidationError) as error:
        validate_bsn(value)
    assert error.value.code == code


def test_masking_keeps_only_the_last_three_digits():
    assert mask_bsn("123456782") == "******782"


def test_a_bsn_is_unique_in_the_database(municipality):
    factories.make_client(municipality, bsn="123456782")
    with pytest.raises(IntegrityError):
        factories.make_client(municipality, bsn="123456782")


def test_the_database_refuses_a_bsn_that_is_not_nine_digits(municipality):
    client = factories.make_client(municipality)
    with pytest.raises(IntegrityError):
        type(client).objects.filter(pk=client.pk).update(bsn="12ab")


def test_full_clean_rejects_a_bsn_failing_the_eleven_test(municipality):
    client = factories.make_client(municipality)
    client.bsn = "123456789"
    with pytest.raises(ValidationError) as error:
        client.full_clean()
    assert "bsn" in error.value.message_dict
