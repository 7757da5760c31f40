// Runs before decap-cms.js: the CMS must wait for init.js, which registers our file format first.
window.CMS_MANUAL_INIT = true;
