"""What one API process holds: the Service (model + live index, as the page holds it), the answer
slots, and the analyses a follow-up may name by id.

The Service is loaded in the background at start-up, so /healthz answers at once and
/readyz says when the index is live. A new build goes live exactly as for the page:
`Service.retriever()` notices that index/current moved and loads it whole.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
import uuid
from collections import OrderedDict

from starlette.concurrency import run_in_threadpool

from yuqi.api.config import ApiConfig
from yuqi.api.errors import ApiError, log_crash
from yuqi.errors import YuqiError
from yuqi.settings import Settings

log = logging.getLogger("yuqi.api")
WARM_UP = "催收说明天要上门，还要起诉我，是真的吗？"


class Recent:
    """Analyses of recent answers by id, for `previous`: bounded in count and age, in memory only."""

    def __init__(self, size: int = 1000, ttl: float = 3600.0):
        self.size, self.ttl = size, ttl
        self._items: OrderedDict[str, tuple[float, object]] = OrderedDict()
        self._lock = threading.Lock()

    def put(self, analysis) -> str:
        key = uuid.uuid4().hex
        with self._lock:
            self._items[key] = (time.monotonic(), analysis)
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return key

    def get(self, key: str):
        with self._lock:
            item = self._items.get(key)
        if item is None or time.monotonic() - item[0] > self.ttl:
            return None
        return item[1]


class Runtime:
    def __init__(self, settings: Settings, config: ApiConfig, service=None):
        self.settings, self.config = settings, config
        self.service = service
        self.load_error: str = ""
        self.ready = threading.Event()  # set once the model, the index and the warm-up answer are done
        self.recent = Recent()
        self._slots: asyncio.Semaphore | None = None

    def load(self) -> None:
        """Load the model and the live index (building the default one on a first start), as the page does."""
        try:
            if self.service is None:
                from yuqi.service import Service

                service = Service(self.settings)
                service.ensure_index()
                self.service = service
            self.warm_up()
            self.ready.set()
            log.info("ready: build %s", self.service.retriever().index.build_id)
        except YuqiError as err:
            self.load_error = str(err)
            log.error("not ready: %s", type(err).__name__)
        except Exception as err:  # noqa: BLE001 - reported by /readyz, never a dead server
            self.load_error = "服务启动失败。"
            log_crash(err)

    def warm_up(self) -> None:
        """One offline answer before /readyz says ready, so the first person does not pay for lazy loading
        (the statute source, the tokenizer dictionary, the first model pass: seconds on a busy machine)."""
        from yuqi.answer import answer

        offline = self.service.settings.with_(llm_model="", llm_api_key="", llm_base_url="")
        answer(self.service, WARM_UP, settings=offline)

    def ready_service(self):
        if not self.ready.is_set():
            raise ApiError("index_error", detail=self.load_error) if self.load_error else ApiError("not_ready")
        return self.service

    @property
    def slots(self) -> asyncio.Semaphore:
        if self._slots is None:  # made inside the running loop
            self._slots = asyncio.Semaphore(self.config.workers_at_once)
        return self._slots

    async def run(self, fn, *args):
        """fn(*args) in a worker thread, at most `concurrency` at once, within the answer timeout.

        A timed-out call keeps its slot until its thread finishes: the CPU it uses is still taken."""
        deadline = time.monotonic() + self.config.timeout
        try:
            await asyncio.wait_for(self.slots.acquire(), timeout=self.config.timeout)
        except TimeoutError:
            raise ApiError("busy") from None
        task = asyncio.ensure_future(run_in_threadpool(fn, *args))
        task.add_done_callback(self._release)
        try:
            return await asyncio.wait_for(asyncio.shield(task), timeout=max(0.0, deadline - time.monotonic()))
        except TimeoutError:
            raise ApiError("timeout", seconds=f"{self.config.timeout:g}") from None

    def _release(self, task: asyncio.Future) -> None:
        self.slots.release()
        if not task.cancelled():
            task.exception()  # retrieved, so a failure after a timeout is not reported as "never retrieved"
