"""Privacy-preserving record linkage for partner agencies and the linkage unit.

An agency normalizes its identifiers, derives keyed-hash match keys
(:func:`prepare_submission`) and sends sealed packages; the linkage unit links
the match keys of several agencies pass by pass, one-to-one
(:func:`link_submissions`), and sends the enclave a :class:`LinkageMap` and a
:class:`QualityReport`. Nothing here imports the enclave service, Flask, a
database or SDV, so an agency can install this package alone.
"""

from __future__ import annotations

from linkage.errors import (
    BadSignatureError,
    ColumnMismatchError,
    CorruptedPayloadError,
    EncodingError,
    InputFileError,
    KeyFileError,
    LinkageError,
    LinkingError,
    PackageError,
    PolicyError,
    ReplayedPackageError,
    TruncatedPackageError,
    UnexpectedPackageError,
    UnknownSignerError,
    WrongRecipientError,
)
from linkage.ground_truth import LinkageAccuracy, score_linkage
from linkage.linkage_map import LINKAGE_MAP_SCHEMA, LinkageMap
from linkage.linkage_unit import MatchKeySubmission, link_match_keys, link_submissions
from linkage.match_keys import (
    MatchKeyer,
    derive_match_keys,
    derive_project_key,
    encode_fields,
    hmac_messages,
)
from linkage.normalize import MatchFields, derive_match_fields
from linkage.partner import PreparationReport, PreparedSubmission, prepare_submission
from linkage.party_keys import (
    PartyKeys,
    fingerprint,
    generate_linkage_secret,
    generate_party_keys,
    load_linkage_secret,
    load_party_keys,
    load_sealing_public_key,
    load_signing_public_key,
    save_linkage_secret,
    save_party_keys,
)
from linkage.policy import (
    DatasetSchema,
    IdentifierPolicies,
    MatchKeyScheme,
    MatchPass,
    load_identifier_policies,
)
from linkage.quality import PairRate, PassResult, QualityReport
from linkage.sealing import (
    OpenedPackage,
    PackageManifest,
    open_package,
    read_manifest,
    seal_package,
    table_to_parquet_bytes,
    verify_signature,
)
from linkage.synth import SyntheticData, generate_agency_data, write_synthetic_data

__all__ = [
    "LINKAGE_MAP_SCHEMA",
    "BadSignatureError",
    "ColumnMismatchError",
    "CorruptedPayloadError",
    "DatasetSchema",
    "EncodingError",
    "IdentifierPolicies",
    "InputFileError",
    "KeyFileError",
    "LinkageAccuracy",
    "LinkageError",
    "LinkageMap",
    "LinkingError",
    "MatchFields",
    "MatchKeyScheme",
    "MatchKeySubmission",
    "MatchKeyer",
    "MatchPass",
    "OpenedPackage",
    "PackageError",
    "PackageManifest",
    "PairRate",
    "PartyKeys",
    "PassResult",
    "PolicyError",
    "PreparationReport",
    "PreparedSubmission",
    "QualityReport",
    "ReplayedPackageError",
    "SyntheticData",
    "TruncatedPackageError",
    "UnexpectedPackageError",
    "UnknownSignerError",
    "WrongRecipientError",
    "derive_match_fields",
    "derive_match_keys",
    "derive_project_key",
    "encode_fields",
    "fingerprint",
    "generate_agency_data",
    "generate_linkage_secret",
    "generate_party_keys",
    "hmac_messages",
    "link_match_keys",
    "link_submissions",
    "load_identifier_policies",
    "load_linkage_secret",
    "load_party_keys",
    "load_sealing_public_key",
    "load_signing_public_key",
    "open_package",
    "prepare_submission",
    "read_manifest",
    "save_linkage_secret",
    "save_party_keys",
    "score_linkage",
    "seal_package",
    "table_to_parquet_bytes",
    "verify_signature",
    "write_synthetic_data",
]
