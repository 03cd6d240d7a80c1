from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.delivery_method import DeliveryMethod
from ...types import Response


def _get_kwargs(
    client_uid: int,
    *,
    body: DeliveryMethod,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "put",
        "url": "/v1/delivery/{client_uid}/methods".format(
            client_uid=quote(str(client_uid), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Any | int | None:
    if response.status_code == 200:
        response_200 = cast(int, response.text)
        return response_200

    if response.status_code == 400:
        response_400 = cast(Any, None)
        return response_400

    if response.status_code == 401:
        response_401 = cast(Any, None)
        return response_401

    if response.status_code == 403:
        response_403 = cast(Any, None)
        return response_403

    if response.status_code == 404:
        response_404 = cast(Any, None)
        return response_404

    if response.status_code == 409:
        response_409 = cast(Any, None)
        return response_409

    if response.status_code == 429:
        response_429 = cast(Any, None)
        return response_429

    if response.status_code == 500:
        response_500 = cast(Any, None)
        return response_500

    if response.status_code == 502:
        response_502 = cast(Any, None)
        return response_502

    if response.status_code == 503:
        response_503 = cast(Any, None)
        return response_503

    if response.status_code == 504:
        response_504 = cast(Any, None)
        return response_504

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[Any | int]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    client_uid: int,
    *,
    client: AuthenticatedClient | Client,
    body: DeliveryMethod,
) -> Response[Any | int]:
    """Create or modify a delivery method of a client.

     Sends a whole delivery method. `ClientDeliveryUID` = 0 creates a
    method; any other value replaces the method it names.

    Args:
        client_uid (int):
        body (DeliveryMethod): The body of `PUT /v1/delivery/{ClientUID}/methods`: how leads are
            sent
            to a buyer.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | int]
    """

    kwargs = _get_kwargs(
        client_uid=client_uid,
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    client_uid: int,
    *,
    client: AuthenticatedClient | Client,
    body: DeliveryMethod,
) -> Any | int | None:
    """Create or modify a delivery method of a client.

     Sends a whole delivery method. `ClientDeliveryUID` = 0 creates a
    method; any other value replaces the method it names.

    Args:
        client_uid (int):
        body (DeliveryMethod): The body of `PUT /v1/delivery/{ClientUID}/methods`: how leads are
            sent
            to a buyer.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | int
    """

    return sync_detailed(
        client_uid=client_uid,
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    client_uid: int,
    *,
    client: AuthenticatedClient | Client,
    body: DeliveryMethod,
) -> Response[Any | int]:
    """Create or modify a delivery method of a client.

     Sends a whole delivery method. `ClientDeliveryUID` = 0 creates a
    method; any other value replaces the method it names.

    Args:
        client_uid (int):
        body (DeliveryMethod): The body of `PUT /v1/delivery/{ClientUID}/methods`: how leads are
            sent
            to a buyer.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | int]
    """

    kwargs = _get_kwargs(
        client_uid=client_uid,
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    client_uid: int,
    *,
    client: AuthenticatedClient | Client,
    body: DeliveryMethod,
) -> Any | int | None:
    """Create or modify a delivery method of a client.

     Sends a whole delivery method. `ClientDeliveryUID` = 0 creates a
    method; any other value replaces the method it names.

    Args:
        client_uid (int):
        body (DeliveryMethod): The body of `PUT /v1/delivery/{ClientUID}/methods`: how leads are
            sent
            to a buyer.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | int
    """

    return (
        await asyncio_detailed(
            client_uid=client_uid,
            client=client,
            body=body,
        )
    ).parsed
